"""msgpack with numpy arrays packed as bytes: the wire format of openpi's `openpi_client.msgpack_numpy`, no pickle.

An array travels as the map {b"__ndarray__": True, b"data": raw bytes, b"dtype": "<f4", b"shape": [..]}, a numpy
scalar as {b"__npgeneric__": True, b"data": python value, b"dtype": "<f8"} (byte-string keys, exactly like openpi),
so both sides interoperate with openpi's client and server. Decoding checks what openpi's does not: only plain
dtypes (bool, int, uint, float, str, bytes) and a buffer whose length matches shape x itemsize; anything else
raises CodecError instead of building an object array or reading past a buffer.
"""

from __future__ import annotations

from typing import Any

import msgpack
import numpy as np

ALLOWED_KINDS = frozenset("biufUS")  # bool, int, uint, float, unicode, bytes: never object, void or complex
MAX_NDIM = 32


class CodecError(ValueError):
    """The bytes are not a valid message (not msgpack, or a malformed array)."""


def _pack_default(obj: Any) -> Any:
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind not in ALLOWED_KINDS:
        raise TypeError(f"unsupported dtype {obj.dtype} (allowed kinds: {''.join(sorted(ALLOWED_KINDS))})")
    if isinstance(obj, np.ndarray):
        arr = np.ascontiguousarray(obj)
        return {b"__ndarray__": True, b"data": arr.tobytes(), b"dtype": arr.dtype.str, b"shape": list(arr.shape)}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def _dtype(text: Any) -> np.dtype:
    if not isinstance(text, (str, bytes)):
        raise CodecError(f"array dtype must be a string, got {type(text).__name__}")
    try:
        dtype = np.dtype(text.decode() if isinstance(text, bytes) else text)
    except (TypeError, ValueError) as exc:
        raise CodecError(f"bad array dtype {text!r}") from exc
    if dtype.kind not in ALLOWED_KINDS or dtype.hasobject or dtype.itemsize == 0:
        raise CodecError(f"array dtype {dtype} is not allowed")
    return dtype


def _array(obj: dict) -> np.ndarray:
    dtype, data, shape = _dtype(obj.get(b"dtype")), obj.get(b"data"), obj.get(b"shape")
    if not isinstance(data, bytes):
        raise CodecError("array data must be bytes")
    if not isinstance(shape, (list, tuple)) or len(shape) > MAX_NDIM or \
            not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise CodecError(f"bad array shape {shape!r}")
    count = 1
    for d in shape:
        count *= d
    if count * dtype.itemsize != len(data):
        raise CodecError(f"array of shape {tuple(shape)} and dtype {dtype} needs {count * dtype.itemsize} bytes, "
                         f"got {len(data)}")
    # A writable copy, like an array the policy would get in-process.
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def _scalar(obj: dict) -> np.generic:
    dtype = _dtype(obj.get(b"dtype"))
    try:
        return dtype.type(obj.get(b"data"))
    except (TypeError, ValueError, OverflowError) as exc:
        raise CodecError(f"bad numpy scalar of dtype {dtype}") from exc


def _object_hook(obj: dict) -> Any:
    if b"__ndarray__" in obj:
        return _array(obj)
    if b"__npgeneric__" in obj:
        return _scalar(obj)
    return obj


def packb(obj: Any) -> bytes:
    """Encode maps, lists, str, numbers, None, numpy arrays and scalars; raises TypeError on anything else."""
    return msgpack.packb(obj, default=_pack_default, use_bin_type=True)


def unpackb(data: bytes) -> Any:
    """Decode one message; every problem (bad msgpack, bad array, trailing bytes) raises CodecError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CodecError(f"expected a binary message, got {type(data).__name__}")
    try:
        return msgpack.unpackb(data, object_hook=_object_hook, raw=False)
    except CodecError:
        raise
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise CodecError(f"not a valid msgpack message ({type(exc).__name__}: {exc})"[:300]) from exc
