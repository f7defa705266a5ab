"""SAPIEN 2.2.2 on a CPU: a small Vulkan layer (vk_strip_layer.c) so that Mesa's lavapipe can create its device.

SAPIEN asks for VK_KHR_external_semaphore_fd at device creation (for CUDA interop, which a CPU never uses) and lavapipe
does not offer it, so device creation fails with ErrorExtensionNotPresent. The loader checks requested extensions
against the driver's and the enabled layers' manifests before any layer runs: this layer's manifest lists the
extensions below, and its vkCreateDevice drops each one the device does not offer before calling down the chain. An
entry point of a dropped extension answers with an error and a line on stderr (never silently). The layer is built
once with gcc against libvulkan-dev's headers into the user cache, in a folder named by its source's hash, and enabled
in the env's child process only (VK_LAYER_PATH + VK_INSTANCE_LAYERS); where an NVIDIA driver is installed it is not.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from vla_harness.benchmarks.asset_cache import cache_root
from vla_harness.harness.errors import UserError

SOURCE = Path(__file__).with_name("vk_strip_layer.c")
LAYER = "VK_LAYER_VLA_HARNESS_strip_extensions"
LIBRARY = "libvla_strip_extensions.so"
# extension -> its entry points: what SAPIEN 2.2.2 asks for that a CPU driver may lack
STRIPPABLE = {"VK_KHR_external_semaphore_fd": ["vkGetSemaphoreFdKHR", "vkImportSemaphoreFdKHR"],
              "VK_KHR_external_memory_fd": ["vkGetMemoryFdKHR", "vkGetMemoryFdPropertiesKHR"]}
NVIDIA_ICDS = ("/usr/share/vulkan/icd.d/nvidia_icd.json", "/etc/vulkan/icd.d/nvidia_icd.json")


class LayerBuildError(UserError):
    pass


def layer_dir() -> Path:
    digest = hashlib.sha256(SOURCE.read_bytes() + json.dumps(STRIPPABLE).encode()).hexdigest()[:16]
    return cache_root().parent / "vulkan-layer" / digest


def build_layer() -> Path:
    """The folder holding the built layer and its manifest (built now if it is not there yet)."""
    folder = layer_dir()
    if (folder / LIBRARY).is_file() and (folder / "manifest.json").is_file():
        return folder
    if not shutil.which("gcc") or not Path("/usr/include/vulkan/vk_layer.h").is_file():
        raise LayerBuildError("building the Vulkan layer for SAPIEN on a CPU needs gcc and libvulkan-dev's headers "
                              "(/usr/include/vulkan/vk_layer.h): `apt-get install gcc libvulkan-dev` (make install "
                              "does)")
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    strip_list = ",".join(f'"{name}"' for name in STRIPPABLE)
    cmd = ["gcc", "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-Wall", f"-DSTRIP_LIST={strip_list}",
           "-o", str(tmp / LIBRARY), str(SOURCE)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise LayerBuildError(f"gcc failed building the Vulkan layer: {done.stderr.strip()[:400]}")
    (tmp / "manifest.json").write_text(json.dumps(_manifest(), indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    tmp.replace(folder)
    return folder


def _manifest() -> dict:
    extensions = [{"name": name, "spec_version": "1", "entrypoints": entries} for name, entries in STRIPPABLE.items()]
    return {"file_format_version": "1.1.2",
            "layer": {"name": LAYER, "type": "GLOBAL", "library_path": f"./{LIBRARY}", "api_version": "1.3.239",
                      "implementation_version": "1", "device_extensions": extensions,
                      "description": "vla-harness: lets SAPIEN 2.2.2 create its device on CPU Vulkan drivers"}}


def needs_layer() -> bool:
    """CPU rendering (lavapipe) needs the layer; an NVIDIA driver offers every extension SAPIEN asks for."""
    forced = os.environ.get("VLA_HARNESS_VK_LAYER")
    if forced in ("0", "1"):
        return forced == "1"
    return not any(Path(p).is_file() for p in NVIDIA_ICDS)


def layer_env() -> dict[str, str]:
    """The variables that enable the layer in a child process (empty where it is not needed)."""
    if not needs_layer():
        return {}
    folder = build_layer()
    paths = [str(folder), *filter(None, os.environ.get("VK_LAYER_PATH", "").split(os.pathsep))]
    layers = [LAYER, *filter(None, os.environ.get("VK_INSTANCE_LAYERS", "").split(os.pathsep))]
    return {"VK_LAYER_PATH": os.pathsep.join(paths), "VK_INSTANCE_LAYERS": os.pathsep.join(layers)}
