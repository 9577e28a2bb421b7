"""Tests for lib/protocol/message_codegen.py: the schema rules that the C++
round-trip tests cannot see (the version tests it writes, the sizes it
bounds arrays with, the schemas it refuses).

Run directly (/usr/bin/python3 lib/protocol/message_codegen_test.py) or with
bazel test //lib/protocol:message_codegen_test.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import message_codegen as codegen  # noqa: E402


def message(fields, valid="0-4", flexible="3+"):
    return codegen.Message({"apiKey": 3, "type": "request", "name": "M",
                            "validVersions": valid, "flexibleVersions": flexible,
                            "fields": fields}, [])


class VersionsTest(unittest.TestCase):
    def test_parses_kafkas_version_ranges(self):
        self.assertEqual(codegen.parse_versions("3+"), (3, None))
        self.assertEqual(codegen.parse_versions("3-5"), (3, 5))
        self.assertEqual(codegen.parse_versions("2"), (2, 2))
        self.assertIsNone(codegen.parse_versions("none"))

    def test_conditions_are_relative_to_the_versions_served(self):
        m = message([])
        self.assertIsNone(m.condition([0, 1, 2, 3, 4]))  # always: no test
        self.assertEqual(m.condition([2, 3, 4]), "version >= 2")
        self.assertEqual(m.condition([0, 1]), "version <= 1")
        self.assertEqual(m.condition([1, 2]), "(version >= 1 && version <= 2)")
        self.assertEqual(m.condition([3]), "version == 3")


class MinSizeTest(unittest.TestCase):
    def test_counts_the_fields_a_version_has_in_its_forms(self):
        m = message([{"name": "items", "type": "[]Item", "versions": "0+",
                      "fields": [
                          {"name": "id", "type": "int32", "versions": "0+"},
                          {"name": "name", "type": "string", "versions": "2+"},
                          {"name": "t", "type": "int8", "versions": "3+",
                           "taggedVersions": "3+", "tag": 0}]}])
        self.assertEqual(codegen.min_size(m, "Item", 0), 4)
        self.assertEqual(codegen.min_size(m, "Item", 2), 4 + 2)
        # Flexible: a compact string's length is a byte, plus the tag count;
        # a tagged field takes nothing when left at its default.
        self.assertEqual(codegen.min_size(m, "Item", 3), 4 + 1 + 1)


class SchemaErrorsTest(unittest.TestCase):
    def test_a_tagged_field_must_be_in_flexible_versions(self):
        with self.assertRaises(SystemExit):
            message([{"name": "t", "type": "int8", "versions": "0+",
                      "taggedVersions": "0+", "tag": 0}])

    def test_a_struct_is_declared_once(self):
        item = {"name": "id", "type": "int32", "versions": "0+"}
        with self.assertRaises(SystemExit):
            message([{"name": "a", "type": "[]Item", "versions": "0+",
                      "fields": [item]},
                     {"name": "b", "type": "[]Item", "versions": "0+",
                      "fields": [item]}])


class GeneratedCodeTest(unittest.TestCase):
    def test_null_is_sent_as_empty_where_a_version_cannot_say_null(self):
        m = message([{"name": "topics", "type": "[]string", "versions": "0+",
                      "nullableVersions": "1+"}])
        source = codegen.source_text(m, "m.h", "kafka")
        self.assertIn("if (version == 0) {", source)
        self.assertIn("topics.value_or(std::vector<std::string>{})", source)
        self.assertIn("WriteNullableArray(writer, topics", source)

    def test_a_uuid_is_16_bytes_in_every_form(self):
        m = message([{"name": "topic_id", "type": "uuid", "versions": "0+"}])
        self.assertEqual(codegen.min_size(m, "uuid", 0), 16)
        self.assertEqual(codegen.min_size(m, "uuid", 3), 16)  # flexible
        source = codegen.source_text(m, "m.h", "kafka")
        self.assertIn("WriteUuid(writer, topic_id);", source)
        self.assertIn('ReadUuid(reader, "topic_id")', source)
        self.assertIn("writer.WriteRaw(id.bytes());", source)
        header = codegen.header_text(m, "M.json", "kafka")
        self.assertIn('#include "lib/uuid.h"', header)
        self.assertIn("Uuid topic_id;", header)  # the zero Uuid

    def test_a_tagged_uuid_is_sent_unless_zero(self):
        m = message([{"name": "topic_id", "type": "uuid", "versions": "3+",
                      "taggedVersions": "3+", "tag": 0}])
        source = codegen.source_text(m, "m.h", "kafka")
        self.assertIn("topic_id != Uuid{}", source)

    def test_only_a_message_with_a_uuid_gets_its_codec(self):
        m = message([{"name": "id", "type": "int32", "versions": "0+"}])
        self.assertNotIn("ReadUuid", codegen.source_text(m, "m.h", "kafka"))
        self.assertNotIn("lib/uuid.h", codegen.header_text(m, "M.json", "kafka"))

    def test_an_unused_version_parameter_is_unnamed(self):
        m = message([{"name": "id", "type": "int32", "versions": "0+"}])
        source = codegen.source_text(m, "m.h", "kafka")
        self.assertIn("int16_t /*version*/", source)


if __name__ == "__main__":
    unittest.main()
