#!/usr/bin/env python3
"""Writes small seeded PyTorch checkpoints, in the zip format and in the legacy (pre-1.6) format, plus
expected.json with every tensor's dtype, shape, strides, storage offset and values, so the Java reader is checked
against torch.save itself. Also writes hostile and unsupported files that the reader must reject.
Run: /usr/bin/python3 generate.py (from this folder; needs torch, which Debian's python has)."""
import io
import json
import pickle
import struct
import zipfile
from collections import OrderedDict

import torch
from torch import nn

torch.manual_seed(7)


def write_entry(archive, name, data):
    # a fixed timestamp keeps regenerated zips byte-identical (legacy files still differ: their keys are addresses)
    archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)


class Encoder(nn.Module):
    """Names its parameters like monodepth2's ResNet encoder: encoder.conv1.weight, encoder.bn1.running_mean, ..."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Module()
        self.encoder.conv1 = nn.Conv2d(3, 4, 3, bias=False)
        self.encoder.bn1 = nn.BatchNorm2d(4)


model = Encoder()
with torch.no_grad():
    model.encoder.bn1.weight.uniform_(0.5, 1.5)
    model.encoder.bn1.bias.normal_()
    model.encoder.bn1.running_mean.normal_()
    model.encoder.bn1.running_var.uniform_(0.1, 2.0)
    model.encoder.bn1.num_batches_tracked.fill_(7)

# a real state dict: an OrderedDict carrying a _metadata attribute, which pickles as a BUILD
state = model.state_dict()

base = torch.arange(60, dtype=torch.float32).reshape(5, 12) / 8 - 3
state["views.base"] = base
state["views.slice"] = base[1:4, 2:11:3]          # storage offset 14, strides (12, 3), shares base's storage
state["views.transposed"] = base.t()[3:7]          # strides (1, 12), offset 36
state["views.column"] = torch.randn(3, 4)[:, 1]    # a 1-d view whose storage is larger than the tensor
state["dtypes.half"] = torch.randn(2, 3).half()
state["dtypes.double"] = torch.randn(3, dtype=torch.float64) * 1e-3
state["dtypes.bfloat16"] = torch.randn(4).bfloat16()
state["dtypes.int32"] = torch.tensor([[-5, 0], [2 ** 31 - 1, -2 ** 31]], dtype=torch.int32)
state["dtypes.int64"] = torch.tensor([2 ** 40, -3, 0], dtype=torch.int64)
state["dtypes.bool"] = torch.tensor([True, False, True])
state["dtypes.uint8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
state["param"] = nn.Parameter(torch.randn(2, 2))  # pickles through torch._utils._rebuild_parameter
state["empty"] = torch.zeros(0, 3)
# monodepth2's encoder.pth keeps its training resolution and stereo flag next to the tensors
state["height"] = 192
state["width"] = 640
state["use_stereo"] = False
state["offset"] = -70000
state["scale"] = 0.125
state["frame_ids"] = [0, -1, 1]
state["name"] = "resnet18"

torch.save(state, "ckpt_zip.pth")
torch.save(state, "ckpt_legacy.pth", _use_new_zipfile_serialization=False)
torch.save(state, "ckpt_zip_protocol4.pth", pickle_protocol=4)

expected = {"tensors": OrderedDict(), "values": OrderedDict()}
for key, value in state.items():
    if isinstance(value, torch.Tensor):
        as_list = value.detach().flatten().tolist() if value.dtype != torch.bfloat16 \
            else value.detach().float().flatten().tolist()
        expected["tensors"][key] = {
            "dtype": str(value.dtype).replace("torch.", ""),
            "shape": list(value.shape),
            "strides": list(value.stride()),
            "offset": value.storage_offset(),
            "values": [int(v) if isinstance(v, bool) else v for v in as_list],
        }
    else:
        expected["values"][key] = value
with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1)

torch.save({"weights": torch.zeros(2, dtype=torch.complex64)}, "complex_zip.pth")


# Hostile checkpoints: the pickle calls os.system. Written as raw bytes and never unpickled here.
def pickle_calling_os_system():
    command = b"echo owned > /tmp/depthstream-owned"
    return (b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(command)) + command
            + b"\x85" + b"R" + b".")


with zipfile.ZipFile("evil_zip.pth", "w", zipfile.ZIP_STORED) as z:
    write_entry(z, "evil_zip/data.pkl", pickle_calling_os_system())
    write_entry(z, "evil_zip/version", "3\n")


def legacy_header():
    # the three small pickles that open a legacy file: magic number, protocol version, system info
    sys_info = dict(protocol_version=1001, little_endian=True, type_sizes=dict(short=2, int=4, long=4))
    return (pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2) + pickle.dumps(1001, protocol=2)
            + pickle.dumps(sys_info, protocol=2))


with open("evil_legacy.pth", "wb") as f:
    f.write(legacy_header() + pickle_calling_os_system())

# a state dict pickled with an opcode a state dict never needs: INST (protocol 0 object construction)
with zipfile.ZipFile("inst_opcode_zip.pth", "w", zipfile.ZIP_STORED) as z:
    write_entry(z, "inst_opcode_zip/data.pkl", b"\x80\x02(icollections\nOrderedDict\n.")
    write_entry(z, "inst_opcode_zip/version", "3\n")


# a tensor whose shape and strides reach past its storage: 3x3 over 4 floats (torch itself never writes this)
def binunicode(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


out_of_bounds = (b"\x80\x02" + b"ccollections\nOrderedDict\n)R"
                 + binunicode("w") + b"ctorch._utils\n_rebuild_tensor_v2\n"
                 + b"((" + binunicode("storage") + b"ctorch\nFloatStorage\n" + binunicode("0")
                 + binunicode("cpu") + b"K\x04tQ"
                 + b"K\x00" + b"K\x03K\x03\x86" + b"K\x03K\x01\x86" + b"\x89" + b"ccollections\nOrderedDict\n)R"
                 + b"tR" + b"s.")
with zipfile.ZipFile("out_of_bounds_zip.pth", "w", zipfile.ZIP_STORED) as z:
    write_entry(z, "out_of_bounds_zip/data.pkl", out_of_bounds)
    write_entry(z, "out_of_bounds_zip/data/0", struct.pack("<4f", 1, 2, 3, 4))
    write_entry(z, "out_of_bounds_zip/version", "3\n")


# torch>=2.1 records the saving machine's byte order; rewrite ckpt_zip.pth as a big-endian machine would have saved it
class StorageTypes(pickle.Unpickler):
    """Reads our own data.pkl only to learn each storage key's type; its globals resolve to inert stand-ins."""

    def __init__(self, data):
        super().__init__(io.BytesIO(data))
        self.types = {}

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "torch" and name.endswith("Storage"):
            return name
        if module == "torch._utils":
            return lambda *args: None
        raise ValueError(module + "." + name)

    def persistent_load(self, pid):
        self.types[pid[2]] = pid[1]
        return None


ELEMENT_SIZE = {"FloatStorage": 4, "DoubleStorage": 8, "HalfStorage": 2, "BFloat16Storage": 2, "LongStorage": 8,
                "IntStorage": 4, "BoolStorage": 1, "ByteStorage": 1}
with zipfile.ZipFile("ckpt_zip.pth") as little, \
        zipfile.ZipFile("ckpt_zip_bigendian.pth", "w", zipfile.ZIP_STORED) as big:
    peek = StorageTypes(little.read("ckpt_zip/data.pkl"))
    peek.load()
    for entry in little.namelist():
        data = little.read(entry)
        name = entry.replace("ckpt_zip/", "ckpt_zip_bigendian/", 1)
        if "/data/" in entry:
            size = ELEMENT_SIZE[peek.types[entry.rsplit("/", 1)[1]]]
            data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
        write_entry(big, name, data)
    write_entry(big, "ckpt_zip_bigendian/byteorder", "big")

# older torch wrote the storage types of tensors saved from a GPU as torch.cuda.*Storage, located on cuda:0;
# GLOBAL names end at a newline, so the legacy file's pickle can be rewritten in place without moving anything else
with open("ckpt_legacy.pth", "rb") as f:
    legacy = f.read()
gpu = legacy
for storage_type in ELEMENT_SIZE:
    gpu = gpu.replace(b"ctorch\n" + storage_type.encode() + b"\n", b"ctorch.cuda\n" + storage_type.encode() + b"\n")
gpu = gpu.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
assert gpu.count(b"ctorch.cuda\n") == 8 and gpu.count(b"cuda:0") == 1, "unexpected legacy pickle layout"
with open("ckpt_legacy_cuda.pth", "wb") as f:
    f.write(gpu)
