#!/usr/bin/env bash
# Instruments the fuzz harness with SharpFuzz and runs one target under AFL++ for N seconds.
#
#   tests/Retrieval.Fuzz/run-fuzz.sh <target> [seconds=600] [findings-dir=/tmp/retrieval-fuzz]
#   targets: pdf docx docx-xml html markdown json jsonl text query
#
# Needs: afl++ (apt-get install -y afl++) and the SharpFuzz.CommandLine dotnet tool 2.3.0
#   (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0, or set SHARPFUZZ=/path/to/sharpfuzz).
# Crashes land in <findings>/<target>/default/crashes, hangs in .../hangs; replay them with
#   dotnet <findings>/app/Retrieval.Fuzz.dll <target> <file-or-folder>...
# It runs under `nice`; on a shared machine run one or two targets at a time.
set -euo pipefail
target=${1:?usage: run-fuzz.sh <target> [seconds] [findings-dir]}
seconds=${2:-600}
work=${3:-/tmp/retrieval-fuzz}
here=$(cd "$(dirname "$0")" && pwd)
sharpfuzz=${SHARPFUZZ:-$(command -v sharpfuzz || echo "$HOME/.dotnet/tools/sharpfuzz")}
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 1; }
[ -x "$sharpfuzz" ] || { echo "sharpfuzz not found: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 1; }

app=$work/app
mkdir -p "$work"
# Publish and instrument once per findings dir (instrumenting an assembly twice fails). Delete $app to rebuild.
if [ ! -f "$app/.instrumented" ]; then
  rm -rf "$app"
  nice dotnet publish "$here/Retrieval.Fuzz.csproj" -c Release -o "$app" -v q --nologo
  # Our code and the parsing libraries; System.Text.Json and SQLite are outside (framework / native).
  for dll in Retrieval.Core Retrieval.Storage.Embedded AngleSharp Markdig DocumentFormat.OpenXml DocumentFormat.OpenXml.Framework \
             UglyToad.PdfPig UglyToad.PdfPig.Core UglyToad.PdfPig.Fonts UglyToad.PdfPig.Tokenization UglyToad.PdfPig.Tokens \
             UglyToad.PdfPig.DocumentLayoutAnalysis; do
    [ -f "$app/$dll.dll" ] && nice "$sharpfuzz" "$app/$dll.dll" >/dev/null
  done
  touch "$app/.instrumented"
fi

# AFL++'s own dictionaries where the Debian afl++-doc package has them, ours for FTS5.
dicts=/usr/share/doc/afl++-doc/afl/dictionaries
dict=
case $target in
  pdf) src=$dicts/pdf.dict.gz ;;
  html) src=$dicts/html_tags.dict ;;
  json|jsonl) src=$dicts/json.dict ;;
  markdown) src=$dicts/markdown.dict ;;
  docx|docx-xml) src=$dicts/xml.dict ;;
  query) src=$here/dictionaries/fts5.dict ;;
  *) src= ;;
esac
if [ -n "$src" ] && [ -f "$src" ]; then
  dict=$work/$target.dict
  case $src in *.gz) gunzip -c "$src" >"$dict" ;; *) cp "$src" "$dict" ;; esac
fi

out=$work/$target
mkdir -p "$out"
resume=()
# Continue an earlier session of this target instead of starting over.
# SEEDS=<dir> starts from another corpus (e.g. the queue of an earlier run against older code).
[ -d "$out/default/queue" ] && resume=(-i -) || resume=(-i "${SEEDS:-$here/corpus/$target}")
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_gcServer=0
nice -n 10 afl-fuzz "${resume[@]}" -o "$out" -V "$seconds" -t 5000 -m none ${dict:+-x "$dict"} \
  -- dotnet "$app/Retrieval.Fuzz.dll" "$target" >"$out/afl.log" 2>&1 || { tail -40 "$out/afl.log" >&2; exit 1; }
grep -E "^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|edges_found|total_edges|saved_crashes|saved_hangs|stability)" \
  "$out/default/fuzzer_stats"
