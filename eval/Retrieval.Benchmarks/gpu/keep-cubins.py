# Zeroes the CUDA cubins of every GPU architecture but one in an ELF shared library (e.g. ONNX Runtime's
# libonnxruntime_providers_cuda.so), so the file compresses to a fraction of its size for a transfer-limited machine.
# The driver loads only the cubin of its own architecture. Usage: keep-cubins.py IN [OUT [SM]]  (SM 90 = H100/H200);
# without OUT it only lists the fatbin entries (kind 2 = ELF cubin, 1 = PTX) per architecture.
import struct, sys, collections
src = sys.argv[1]; dst = sys.argv[2] if len(sys.argv) > 2 else None; keep = int(sys.argv[3]) if len(sys.argv) > 3 else 90
data = bytearray(open(src, 'rb').read())
# ELF64 section headers
e_shoff, = struct.unpack_from('<Q', data, 0x28); e_shentsize, e_shnum, e_shstrndx = struct.unpack_from('<HHH', data, 0x3A)
def sh(i):
    o = e_shoff + i * e_shentsize
    name, typ, flags, addr, off, size = struct.unpack_from('<IIQQQQ', data, o)
    return name, off, size
_, stroff, _ = sh(e_shstrndx)
secs = {}
for i in range(e_shnum):
    n, off, size = sh(i)
    nm = data[stroff + n: data.index(b'\0', stroff + n)].decode()
    secs[nm] = (off, size)
print({k: v[1] for k, v in secs.items() if v[1] > 1_000_000})
off, size = secs['.nv_fatbin']
pos, end = off, off + size
stats = collections.Counter(); bytes_by = collections.Counter(); zeroed = 0; containers = 0
while pos < end:
    magic, ver, hsize, fatsize = struct.unpack_from('<IHHQ', data, pos)
    if magic != 0xBA55ED50:
        pos += 8; continue
    containers += 1
    e = pos + hsize; cend = e + fatsize
    while e < cend:
        kind, _, ehs, esize = struct.unpack_from('<HHIQ', data, e)
        arch, = struct.unpack_from('<I', data, e + 28)
        stats[(kind, arch)] += 1; bytes_by[(kind, arch)] += esize
        if dst and kind == 2 and arch != keep:
            data[e + ehs: e + ehs + esize] = bytes(esize); zeroed += esize
        e += ehs + esize
    if e != cend: print('misparse at', hex(pos), e - cend); break
    pos = cend
print('containers', containers)
for k in sorted(stats): print(k, stats[k], bytes_by[k] // 1_000_000, 'MB')
print('zeroed MB', zeroed // 1_000_000)
if dst: open(dst, 'wb').write(data)
