"""Kafka's own format, checked by an independent implementation.

kafka-python (Debian's python3-kafka) has its own reader and writer for record
batch v2. This test checks both directions:

1. kafka-python reads the segment files our log writes (the Chapter 1 demo's
   files): every batch's CRC-32C is valid and every record is as written.
2. Our kafka-dump-log reads a segment file that kafka-python wrote.
"""
import os
import subprocess
import sys
import tempfile
import unittest

from kafka.record import MemoryRecords
from kafka.record.default_records import DefaultRecordBatchBuilder

DEMO, DUMP_LOG = sys.argv[1], sys.argv[2]


def read_segment(path):
    """Every (offset, timestamp, key, value, headers) in a .log file."""
    with open(path, "rb") as f:
        records = MemoryRecords(f.read())
    out = []
    while records.has_next():
        batch = records.next_batch()
        assert batch.validate_crc(), f"bad CRC in batch at {batch.base_offset}"
        out.extend((r.offset, r.timestamp, r.key, r.value, r.headers) for r in batch)
    return out


class SegmentFilesInterop(unittest.TestCase):
    def test_kafka_python_reads_our_segment_files(self):
        with tempfile.TemporaryDirectory() as data_dir:
            subprocess.run([DEMO, "--data-dir", data_dir, "--records", "30"],
                           check=True, stdout=subprocess.DEVNULL)
            log_dir = os.path.join(data_dir, "demo-0")
            segments = sorted(n for n in os.listdir(log_dir) if n.endswith(".log"))
            self.assertGreater(len(segments), 1, "the demo rolls segments")
            records = []
            for name in segments:
                records.extend(read_segment(os.path.join(log_dir, name)))
        self.assertEqual([r[0] for r in records], list(range(30)))
        for offset, timestamp, key, value, headers in records:
            self.assertEqual(key, f"user-{offset % 4}".encode())
            self.assertEqual(value, f"page view #{offset}".encode())
            self.assertEqual(timestamp, 1_700_000_000_000 + offset * 1000)

    def test_our_dump_log_reads_a_kafka_python_batch(self):
        builder = DefaultRecordBatchBuilder(
            magic=2, compression_type=0, is_transactional=0, producer_id=-1,
            producer_epoch=-1, base_sequence=-1, batch_size=1 << 20)
        builder.append(0, timestamp=1000, key=b"k1", value=b"v1",
                       headers=[("trace", b"abc")])
        builder.append(1, timestamp=990, key=None, value=b"", headers=[])
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "00000000000000000000.log")
            with open(path, "wb") as f:
                f.write(bytes(builder.build()))
            out = subprocess.run([DUMP_LOG, path], check=True,
                                 capture_output=True, text=True).stdout
        self.assertIn("baseOffset: 0 lastOffset: 1 count: 2", out)
        self.assertIn("| offset: 0 CreateTime: 1000 keySize: 2 valueSize: 2 "
                      "headerKeys: [trace] key: k1 payload: v1", out)
        self.assertIn("| offset: 1 CreateTime: 990 keySize: -1 valueSize: 0 "
                      "headerKeys: [] key: null payload: ", out)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
