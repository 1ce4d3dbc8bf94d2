#!/usr/bin/env python3
"""conformance/replication/count.py SESSION.pgs — count the replication
messages of a session by reading its bytes, independently of pgw: frames
each direction, follows the command that opened each copy stream
(START_REPLICATION, BASE_BACKUP) and counts the CopyData inside it by
type byte, and for pgoutput streams the message inside each XLogData.
Prints one "DIR TYPE COUNT" line per type, sorted (the names are pgw's,
from the documentation)."""
import collections
import re
import sys

STREAM = {('B', 'w'): 'XLogData', ('B', 'k'): 'PrimaryKeepalive',
          ('B', 's'): 'PrimaryStatusUpdate', ('F', 'r'): 'StandbyStatusUpdate',
          ('F', 'h'): 'HotStandbyFeedback', ('F', 'p'): 'PrimaryStatusRequest'}
BACKUP = {'n': 'NewArchive', 'm': 'Manifest', 'd': 'ArchiveData',
          'p': 'Progress'}
LOGICAL = {'B': 'Begin', 'M': 'Message', 'C': 'Commit', 'O': 'Origin',
           'R': 'Relation', 'Y': 'Type', 'I': 'Insert', 'U': 'Update',
           'D': 'Delete', 'T': 'Truncate', 'S': 'StreamStart',
           'E': 'StreamStop', 'c': 'StreamCommit', 'A': 'StreamAbort',
           'b': 'BeginPrepare', 'P': 'Prepare', 'K': 'CommitPrepared',
           'r': 'RollbackPrepared', 'p': 'StreamPrepare'}


def chunks(path):
    for line in open(path):
        if line[:2] in ('F ', 'B '):
            yield line[0], bytes.fromhex(''.join(line[2:].split()))


def main(path):
    buf = {'F': b'', 'B': b''}
    started = {'F': False, 'B': True}
    pending = active = None  # 'physical' 'pgoutput' 'logical' 'backup'
    counts = collections.Counter()
    for d, data in chunks(path):
        buf[d] += data
        while True:
            b = buf[d]
            if not started[d]:  # the StartupMessage: no type byte
                if len(b) < 4 or len(b) < int.from_bytes(b[:4], 'big'):
                    break
                buf[d] = b[int.from_bytes(b[:4], 'big'):]
                started[d] = True
                continue
            if len(b) < 5 or len(b) < 1 + int.from_bytes(b[1:5], 'big'):
                break
            n = 1 + int.from_bytes(b[1:5], 'big')
            t, body = chr(b[0]), b[5:n]
            buf[d] = b[n:]
            if d == 'F' and t == 'Q':
                q = body.rstrip(b'\0').decode('utf-8', 'replace').lower()
                q = q.strip()
                pending = None
                if q.startswith('base_backup'):
                    pending = 'backup'
                elif q.startswith('start_replication'):
                    if ' logical ' not in q:
                        pending = 'physical'
                    elif (re.search(r'proto_version"? *\'[1-4]\'', q) and
                          'publication_names' in q):
                        pending = 'pgoutput'
                    else:
                        pending = 'logical'
            elif d == 'B' and t == 'W' and pending != 'backup':
                active, pending = pending, None
            elif d == 'B' and t == 'H' and pending == 'backup':
                active, pending = pending, None
            elif d == 'B' and t == 'c' and active == 'backup':
                active = None
            elif d == 'B' and t in 'ZE':
                active = None
            elif t == 'd' and active:
                if active == 'backup':
                    counts[(d, BACKUP[chr(body[0])])] += 1
                    continue
                counts[(d, STREAM[(d, chr(body[0]))])] += 1
                if active == 'pgoutput' and body[:1] == b'w':
                    counts[('L', LOGICAL[chr(body[25])])] += 1
    for (d, name), c in sorted(counts.items()):
        print(d, name, c)


main(sys.argv[1])
