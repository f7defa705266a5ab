"""The Vulkan layer for SAPIEN 2.2.2 on a CPU (benchmarks/simpler/official/vk_strip_layer.c), built as `env setup`
builds it: its manifest lists the extensions it may strip, and an entry point of a stripped extension, if anything
ever called it, answers VK_ERROR_EXTENSION_NOT_PRESENT and prints a line (tests/test_simpler_parity_sim.py checks that
no such line appears while episodes render)."""

from __future__ import annotations

import ctypes
import json

from vla_harness.benchmarks.simpler.official.vulkan import LAYER, LIBRARY, STRIPPABLE, build_layer

VK_ERROR_EXTENSION_NOT_PRESENT = -7


def test_manifest_lists_the_strippable_extensions():
    manifest = json.loads((build_layer() / "manifest.json").read_text())["layer"]
    assert manifest["name"] == LAYER and manifest["library_path"] == f"./{LIBRARY}"
    assert {e["name"]: e["entrypoints"] for e in manifest["device_extensions"]} == STRIPPABLE


def test_a_stripped_entry_point_fails_loudly(capfd):
    lib = ctypes.CDLL(str(build_layer() / LIBRARY))
    gdpa = lib.layer_GetDeviceProcAddr
    gdpa.restype, gdpa.argtypes = ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p]
    for name in ("vkGetSemaphoreFdKHR", "vkImportSemaphoreFdKHR"):
        stub = ctypes.CFUNCTYPE(ctypes.c_int)(gdpa(None, name.encode()))  # no device below: the layer's own stub
        assert stub() == VK_ERROR_EXTENSION_NOT_PRESENT
    assert capfd.readouterr().err.count("an entry point of a stripped extension was called") == 2
    assert gdpa(None, b"vkCreateBuffer") is None  # anything else is the driver's, never the layer's
