#!/usr/bin/env python3
"""Breaks a process's resident memory down by mapping kind from two /proc/<pid>/smaps snapshots (minute 2 and the
end of a soak) and lists the anonymous mappings that grew most. Usage: smaps-breakdown.py SMAPS_AT_WARMUP SMAPS_AT_END
The snapshots are taken by copying /proc/<api pid>/smaps once a minute during the soak (see docs/performance.md)."""
import collections, re, sys

ARENA = 64 << 20  # glibc's non-main heap arenas are 64 MiB-aligned mappings (HEAP_MAX_SIZE on 64-bit)


def parse(path):
    maps, cur = [], None
    for line in open(path):
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            parts = line.split(None, 5)
            start, end = (int(x, 16) for x in parts[0].split('-'))
            cur = {'start': start, 'end': end, 'perm': parts[1], 'name': parts[5].strip() if len(parts) > 5 else '', 'Rss': 0}
            maps.append(cur)
        elif cur is not None and line.startswith('Rss:'):
            cur['Rss'] = int(line.split()[1])
    return maps


def kind(m):
    n, size = m['name'], m['end'] - m['start']
    if n == '[heap]':
        return 'brk heap (glibc main arena)'
    if n == '' or n.startswith('[anon'):
        if m['start'] % ARENA == 0 and m['perm'].startswith('rw') and size <= ARENA:
            return 'glibc arena heaps (64 MiB-aligned)'
        return 'other anonymous (GC regions, large mmap chunks, thread stacks)'
    if n.startswith('/memfd:doublemapper'):
        return 'doublemapper (JIT code, shared)'
    if n.startswith('/'):
        return 'file: ' + ('retrieval.db' if 'retrieval.db' in n else '.so' if '.so' in n else '.dll' if n.endswith('.dll') else 'other')
    return 'other ' + n


def summary(path):
    rss, count = collections.Counter(), collections.Counter()
    for m in parse(path):
        rss[kind(m)] += m['Rss']
        count[kind(m)] += 1
    print(f'{path}: total Rss {sum(rss.values()) / 1024:.0f} MiB')
    for k, v in sorted(rss.items(), key=lambda x: -x[1]):
        if v > 1024:
            print(f'   {k:<62} {v / 1024:7.1f} MiB  ({count[k]} maps)')


def growth(before_path, after_path, top=15):
    before = {m['start']: m for m in parse(before_path)}
    rows = []
    for m in parse(after_path):
        if m['name'] and not m['name'].startswith('[heap') and not m['name'].startswith('[anon'):
            continue
        old = before.get(m['start'], {'Rss': 0})['Rss']
        rows.append((m['Rss'] - old, m, old))
    rows.sort(key=lambda r: -r[0])
    print(f'anonymous mappings that grew most between the two snapshots (sum of all changes {sum(r[0] for r in rows) / 1024:+.1f} MiB):')
    for delta, m, old in rows[:top]:
        print(f'   {delta / 1024:+7.1f} MiB  {m["start"]:x}-{m["end"]:x}  size {(m["end"] - m["start"]) / 2**20:7.1f} MiB  '
              f'rss {old / 1024:6.1f} -> {m["Rss"] / 1024:6.1f}  {m["name"] or "(anonymous)"}')


if __name__ == '__main__':
    summary(sys.argv[1])
    summary(sys.argv[2])
    growth(sys.argv[1], sys.argv[2])
