#!/usr/bin/python3
"""Generates the C++ structs and wire codec of Kafka messages from schemas.

Kafka describes each API message once, as a JSON schema with version ranges
per field (clients/src/main/resources/common/message/*.json), and generates
its Java codec from it. This project does the same in its own, smaller form:
one file per message in lib/protocol/messages/, read by this program, which
writes a header and a source with the message's structs and their
Write(WireWriter&, version) and Read(WireReader&, version).

Schema format (JSON; a line whose first non-blank characters are // is a
comment, as in Kafka's files):

  {
    "apiKey": 3,                   Kafka's api_key
    "type": "request",             or "response"
    "name": "MetadataRequest",     the C++ struct
    "validVersions": "0-4",        the versions this project implements
    "flexibleVersions": "9+",      Kafka's flexible versions (KIP-482), or
                                   "none"
    "fields": [FIELD, ...]
  }

  FIELD:
    "name"      the C++ member, snake_case; decoding errors name it
    "type"      bool, int8, int16, uint16, int32, int64, string, bytes, records
                (bytes on the wire), uuid (16 bytes, the same in classic and
                flexible versions; the C++ member is lib/uuid.h's Uuid, zero
                by default), ErrorCode (an int16 holding an error
                code), "[]T" for an array of T (T may be an array too), or
                the name of a struct declared by this field's "fields"
    "versions"  the message versions that have the field: "0+", "3-5", "2"
    "nullableVersions"  where it may be null; the member is std::optional
    "emptyIsNullVersions"  (arrays) where an empty array stands for null:
                null is sent as empty, and empty reads as null (Metadata v0,
                where an empty topic list asks for all topics)
    "taggedVersions", "tag"  a tagged field (KIP-482): in those versions it
                travels in the struct's tagged section under that tag, and
                only if it differs from its default
    "default"   the member's initializer, and so the value of a field that a
                version lacks: a number, true/false, a string, or "null"
    "absentValueFrom"  a field of the same struct whose value this one takes
                when a version lacks it (JoinGroup v0: the rebalance timeout
                is the session timeout)
    "about"     the member's comment
    "fields"    the fields of a struct type (nested types are declared in
                the message struct, as MetadataResponse::Topic)

A null in a version where a field cannot be null is sent as the type's empty
value (Kafka's generated code throws instead); a field a version lacks is not
sent, whatever its value (as if every field were "ignorable" in Kafka's
terms).

Usage:
  message_codegen.py --header H --source S --include INC [--namespace NS]
                     [--clang-format BIN --style STYLE] SCHEMA
  message_codegen.py --test T --include INC... [--namespace NS] ... SCHEMA...
"""

import argparse
import json
import re
import subprocess
import sys

# Per primitive type: C++ type, write call, read call, default initializer,
# and the fewest bytes it takes on the wire (classic, flexible).
PRIMITIVES = {
    "bool": ("bool", "WriteBool", "ReadBool", "false", 1, 1),
    "int8": ("int8_t", "WriteInt8", "ReadInt8", "0", 1, 1),
    "int16": ("int16_t", "WriteInt16", "ReadInt16", "0", 2, 2),
    "uint16": ("uint16_t", "WriteUint16", "ReadUint16", "0", 2, 2),
    "int32": ("int32_t", "WriteInt32", "ReadInt32", "0", 4, 4),
    "int64": ("int64_t", "WriteInt64", "ReadInt64", "0", 8, 8),
    "string": ("std::string", "WriteString", "ReadString", None, 2, 1),
    "bytes": ("Bytes", "WriteBytes", "ReadBytes", None, 4, 1),
    "records": ("Bytes", "WriteBytes", "ReadBytes", None, 4, 1),
    "uuid": ("Uuid", "WriteUuid", "ReadUuid", None, 16, 16),
    "ErrorCode": ("ErrorCode", None, None, "ErrorCode::kNone", 2, 2),
}
NULLABLE_CALLS = {"string": "NullableString", "bytes": "NullableBytes",
                  "records": "NullableBytes"}


def load_schema(path):
    """The schema in `path`, and its leading comment lines."""
    with open(path) as f:
        lines = f.read().splitlines()
    comment = []
    for line in lines:
        if not line.strip().startswith("//"):
            break
        comment.append(line.strip()[2:].strip())
    text = "\n".join(l for l in lines if not l.strip().startswith("//"))
    return json.loads(text), comment


def parse_versions(text):
    """"0+", "3-5", "2" or "none" as (low, high); high None means open."""
    if text is None or text == "none":
        return None
    if text.endswith("+"):
        return (int(text[:-1]), None)
    low, _, high = text.partition("-")
    return (int(low), int(high or low))


def in_versions(version, versions):
    if versions is None:
        return False
    low, high = versions
    return version >= low and (high is None or version <= high)


class Message:
    """One schema, with what the code generators ask about it."""

    def __init__(self, schema, comment):
        self.schema = schema
        self.comment = comment
        self.name = schema["name"]
        low, high = parse_versions(schema["validVersions"])
        self.versions = list(range(low, high + 1))
        self.flexible = parse_versions(schema["flexibleVersions"])
        self.structs = []  # (name, fields), innermost first
        self.struct_versions = {}  # the versions in which each struct occurs
        self._collect(self.name, schema["fields"], self.versions)
        self.base = self.versions  # those of the struct being generated
        for _, fields in self.structs:
            for field in fields:
                self._check_tagging(field)

    def _collect(self, name, fields, versions):
        for field in fields:
            if "fields" in field:
                self._collect(element_type(field["type"]), field["fields"],
                              [v for v in versions if self.has(field, v)])
        if name in self.struct_versions:
            sys.exit(f"{self.name}: struct {name} is declared twice")
        self.structs.append((name, fields))
        self.struct_versions[name] = versions

    def enter(self, struct):
        """Generates `struct` next: conditions are relative to its versions."""
        self.base = self.struct_versions[struct]

    def _check_tagging(self, field):
        # Only flexible versions have a tagged section (KIP-482).
        tagged = [v for v in self.versions if self.is_tagged(field, v)]
        if ("tag" in field) != ("taggedVersions" in field) or any(
                not in_versions(v, self.flexible) for v in tagged):
            sys.exit(f"{self.name}: field {field['name']} needs a tag and "
                     "taggedVersions within the flexible versions")

    def has(self, field, version):
        """Whether `version` has `field` (tagged or not)."""
        return in_versions(version, parse_versions(field["versions"]))

    def is_tagged(self, field, version):
        return in_versions(version, parse_versions(field.get("taggedVersions")))

    def condition(self, versions):
        """A C++ test for `versions` (a subset of those of the struct at
        hand), or None when it holds for all of them."""
        if versions == self.base:
            return None
        low, high = versions[0], versions[-1]
        if low == high:
            return f"version == {low}"
        tests = []
        if low > self.base[0]:
            tests.append(f"version >= {low}")
        if high < self.base[-1]:
            tests.append(f"version <= {high}")
        return " && ".join(tests) if len(tests) == 1 else f"({' && '.join(tests)})"

    def struct_fields(self, name):
        return dict(self.structs)[name]


def element_type(type_name):
    while type_name.startswith("[]"):
        type_name = type_name[2:]
    return type_name


def cpp_type(type_name, scope=""):
    """The C++ type; `scope` qualifies struct names ("MetadataResponse::")."""
    if type_name.startswith("[]"):
        return f"std::vector<{cpp_type(type_name[2:], scope)}>"
    if type_name in PRIMITIVES:
        return PRIMITIVES[type_name][0]
    return scope + type_name


def parameter_type(type_name):
    """How a lambda takes a value: numbers by value, the rest by reference."""
    if PRIMITIVES.get(type_name, (None,) * 6)[3] is not None:
        return cpp_type(type_name)
    return f"const {cpp_type(type_name)}&"


def member_type(field):
    base = cpp_type(field["type"])
    return f"std::optional<{base}>" if "nullableVersions" in field else base


def default_value(field):
    """The member's initializer (C++), or None for the type's own."""
    value = field.get("default")
    if value == "null" or (value is None and "nullableVersions" in field):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if value is not None:
        return str(value)
    if field["type"] in PRIMITIVES:
        return PRIMITIVES[field["type"]][3]
    return None


def min_size(message, type_name, version):
    """The fewest bytes a value of `type_name` takes at `version`."""
    flexible = in_versions(version, message.flexible)
    if type_name.startswith("[]"):
        return 1 if flexible else 4
    if type_name in PRIMITIVES:
        return PRIMITIVES[type_name][5 if flexible else 4]
    size = 1 if flexible else 0  # the tagged-field count
    for field in message.struct_fields(type_name):
        if message.has(field, version) and not message.is_tagged(field, version):
            size += min_size(message, field["type"], version)
    return size


# ---- Writing -----------------------------------------------------------


def write_value(message, type_name, expr, writer, nullable):
    """C++ statements writing `expr` (a value of `type_name`) to `writer`."""
    if type_name.startswith("[]"):
        item_type = type_name[2:]
        function = "WriteNullableArray" if nullable else "WriteArray"
        body = write_value(message, item_type, "item", writer, False)
        return (f"{function}({writer}, {expr}, "
                f"[&]({parameter_type(item_type)} item) {{ {body} }});")
    if type_name == "ErrorCode":
        return f"{writer}.WriteInt16(static_cast<int16_t>({expr}));"
    if type_name == "uuid":
        return f"WriteUuid({writer}, {expr});"
    if type_name in PRIMITIVES:
        call = ("Write" + NULLABLE_CALLS[type_name] if nullable
                else PRIMITIVES[type_name][1])
        return f"{writer}.{call}({expr});"
    return f"{expr}.Write({writer}, version);"


def write_field(message, field, versions, writer):
    """Statements writing `field` at `versions`, by nullability."""
    nullable = parse_versions(field.get("nullableVersions"))
    optional = nullable is not None
    branches = []
    for can_be_null, group in group_versions(
            versions, lambda v: in_versions(v, nullable)):
        if can_be_null or not optional:
            expr = field["name"]
        else:
            expr = f"{field['name']}.value_or({cpp_type(field['type'])}{{}})"
        branches.append((message.condition(group),
                         write_value(message, field["type"], expr, writer,
                                     can_be_null)))
    return if_chain(branches)


def write_body(message, fields):
    lines = []
    for field in fields:
        versions = [v for v in message.base
                    if message.has(field, v) and not message.is_tagged(field, v)]
        if versions:
            lines.append(guard(message.condition(versions),
                               write_field(message, field, versions, "writer")))
    tagged = tagged_fields(message, fields)
    if not tagged:
        lines.append("writer.WriteTaggedFields();")
        return lines
    lines.append("TaggedFieldsWriter tagged;")
    for field, versions in tagged:
        test = tagged_test(field)
        condition = message.condition(versions)
        if condition:
            test = f"{condition} && {test}"
        lines.append(f"if ({test}) {{ WireWriter field = "
                     f"tagged.Add({field['tag']}); "
                     f"{write_field(message, field, versions, 'field')} }}")
    lines.append("tagged.WriteTo(writer);")
    return lines


def tagged_test(field):
    """Whether a tagged field differs from its default, so is sent."""
    if field["type"].startswith("[]") and "nullableVersions" not in field:
        return f"!{field['name']}.empty()"
    return f"{field['name']} != {compare_default(field)}"


def compare_default(field):
    value = default_value(field)
    if value is not None:
        return value
    if "nullableVersions" in field:
        return "std::nullopt"
    return f"{cpp_type(field['type'])}{{}}"


def tagged_fields(message, fields):
    """The tagged fields and the valid versions they are tagged in, by tag."""
    tagged = []
    for field in fields:
        versions = [v for v in message.base if message.is_tagged(field, v)]
        if versions:
            tagged.append((field, versions))
    return sorted(tagged, key=lambda entry: entry[0]["tag"])


# ---- Reading -----------------------------------------------------------


def read_value(message, type_name, name, nullable, versions):
    """A C++ expression reading a value of `type_name` at `versions`."""
    if type_name.startswith("[]"):
        item_type = type_name[2:]
        function = "ReadNullableArray" if nullable else "ReadArray"
        least = min(min_size(message, item_type, v) for v in versions)
        item = read_value(message, item_type, name, False, versions)
        return (f'{function}<{cpp_type(item_type)}>(reader, "{name}", {least}, '
                f"[&] {{ return {item}; }})")
    if type_name == "ErrorCode":
        return f'static_cast<ErrorCode>(reader.ReadInt16("{name}"))'
    if type_name == "uuid":
        return f'ReadUuid(reader, "{name}")'
    if type_name in PRIMITIVES:
        call = ("Read" + NULLABLE_CALLS[type_name] if nullable
                else PRIMITIVES[type_name][2])
        return f'reader.{call}("{name}")'
    return f"{type_name}::Read(reader, version)"


def read_field(message, field, versions, target):
    """Statements reading `field` into `target` at `versions`."""
    nullable = parse_versions(field.get("nullableVersions"))
    empty_is_null = parse_versions(field.get("emptyIsNullVersions"))
    branches = []

    def mode(v):
        if in_versions(v, nullable):
            return "nullable"
        return "empty_is_null" if in_versions(v, empty_is_null) else "plain"

    for how, group in group_versions(versions, mode):
        statement = (f"{target} = "
                     f"{read_value(message, field['type'], field['name'], how == 'nullable', group)};")
        if how == "empty_is_null":
            statement += f" if ({target}->empty()) {target}.reset();"
        branches.append((message.condition(group), statement))
    return if_chain(branches)


def read_body(message, struct, fields, variable):
    lines = [f"{struct.split('::')[-1]} {variable};"]
    for field in fields:
        target = f"{variable}.{field['name']}"
        versions = [v for v in message.base
                    if message.has(field, v) and not message.is_tagged(field, v)]
        absent = [v for v in message.base if not message.has(field, v)]
        if versions:
            statement = read_field(message, field, versions, target)
            if "absentValueFrom" in field and absent:
                statement = (f"if ({message.condition(versions)}) {{ {statement} }}"
                             f" else {{ {target} = {variable}."
                             f"{field['absentValueFrom']}; }}")
                lines.append(statement)
            else:
                lines.append(guard(message.condition(versions), statement))
    tagged = tagged_fields(message, fields)
    if not tagged:
        lines.append("reader.SkipTaggedFields();")
    else:
        cases = []
        for field, versions in tagged:
            flexible = [v for v in message.base
                        if in_versions(v, message.flexible)]
            check = ""
            if versions != flexible:
                check = f"if (!({message.condition(versions)})) return false; "
            target = f"{variable}.{field['name']}"
            cases.append(f"case {field['tag']}: {check}"
                         f"{read_field(message, field, versions, target)} "
                         "return true;")
        lines.append("reader.ReadTaggedFields([&](uint32_t tag) { switch (tag) {"
                     + " ".join(cases) + " default: return false; } });")
    lines.append(f"return {variable};")
    return lines


# ---- Shared helpers ----------------------------------------------------


def group_versions(versions, key):
    """Consecutive runs of `versions` with the same key(version)."""
    groups = []
    for v in versions:
        if groups and groups[-1][0] == key(v):
            groups[-1][1].append(v)
        else:
            groups.append((key(v), [v]))
    return groups


def guard(condition, statement):
    return statement if condition is None else f"if ({condition}) {{ {statement} }}"


def if_chain(branches):
    """An if / else-if / else over (condition, statement) branches that
    together cover the versions at hand: the last needs no test."""
    if len(branches) == 1:
        return branches[0][1]
    out = ""
    for i, (condition, statement) in enumerate(branches):
        if i == len(branches) - 1:
            out += f" else {{ {statement} }}"
        else:
            out += (" else " if i else "") + f"if ({condition}) {{ {statement} }}"
    return out


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def variable_for(message, struct):
    if struct == message.name:
        return message.schema["type"]
    return snake(struct)


def uses_version(lines):
    return any(re.search(r"\bversion\b", line) for line in lines)


def version_parameter(lines):
    return "int16_t version" if uses_version(lines) else "int16_t /*version*/"


# ---- Files -------------------------------------------------------------


def member_comment(message, field):
    notes = []
    present = [v for v in message.base if message.has(field, v)]
    if present != message.base:
        notes.append("v" + field["versions"])
    if "tag" in field:
        notes.append(f"tagged, tag {field['tag']}")
    if "about" in field:
        notes.append(field["about"])
    return ("  ///< " + ": ".join(n for n in notes if n)) if notes else ""


def declare_struct(message, name, fields, nested):
    message.enter(name)
    out = [f"struct {name} {{"]
    out += nested
    for field in fields:
        default = default_value(field)
        initializer = f" = {default}" if default is not None else ""
        out.append(f"{member_type(field)} {field['name']}{initializer};"
                   + member_comment(message, field))
    out.append("")
    if name == message.name:
        first_flexible = (message.flexible[0] if message.flexible
                          else "std::numeric_limits<int16_t>::max()")
        out.append(f"static constexpr int16_t kApiKey = {message.schema['apiKey']};")
        out.append(f"static constexpr int16_t kMinVersion = {message.versions[0]};")
        out.append(f"static constexpr int16_t kMaxVersion = {message.versions[-1]};")
        out.append(f"static constexpr int16_t kFirstFlexibleVersion = {first_flexible};")
        out.append("")
    out.append(f"bool operator==(const {name}&) const = default;")
    out.append("void Write(WireWriter& writer, int16_t version) const;")
    out.append(f"static {name} Read(WireReader& reader, int16_t version);")
    out.append("};")
    return out


def qualified(message, struct):
    return message.name if struct == message.name else f"{message.name}::{struct}"


def header_text(message, schema_path, namespace):
    nested = []
    for name, fields in message.structs[:-1]:
        nested += declare_struct(message, name, fields, []) + [""]
    comment = [f"// {line}".rstrip() for line in message.comment]
    lines = [
        f"// Generated by lib/protocol/message_codegen.py from {schema_path}:",
        "// edit the schema, not this file.",
        "//",
        *comment,
        "#pragma once",
        "",
        "#include <cstdint>",
        "#include <limits>",
        "#include <optional>",
        "#include <string>",
        "#include <vector>",
        "",
        '#include "lib/bytes.h"',
        '#include "lib/error.h"',
        '#include "lib/protocol/wire.h"',
        *(['#include "lib/uuid.h"'] if uses_uuid(message) else []),
        "",
        f"namespace {namespace} {{",
        "",
        *declare_struct(message, message.name, message.schema["fields"], nested),
        "",
        f"}}  // namespace {namespace}",
    ]
    return "\n".join(lines) + "\n"


# The wire form of a uuid, written into each source that has one: the 16
# bytes as they are, in classic and flexible versions alike.
UUID_CODEC = """namespace {

void WriteUuid(WireWriter& writer, const Uuid& id) {
  writer.WriteRaw(id.bytes());
}

Uuid ReadUuid(WireReader& reader, std::string_view field) {
  std::array<uint8_t, 16> bytes{};
  ByteView raw = reader.ReadRaw(bytes.size(), field);
  std::copy(raw.begin(), raw.end(), bytes.begin());
  return Uuid(bytes);
}

}  // namespace
"""


def uses_uuid(message):
    return any(element_type(field["type"]) == "uuid"
               for _, fields in message.structs for field in fields)


def source_text(message, include, namespace):
    lines = [f'#include "{include}"', ""]
    if uses_uuid(message):
        lines += ["#include <algorithm>", "#include <array>", ""]
    lines += [f"namespace {namespace} {{", ""]
    if uses_uuid(message):
        lines += [UUID_CODEC]
    for struct, fields in message.structs:
        message.enter(struct)
        full = qualified(message, struct)
        write = write_body(message, fields)
        lines.append(f"void {full}::Write(WireWriter& writer, "
                     f"{version_parameter(write)}) const {{")
        lines += write + ["}", ""]
        read = read_body(message, full, fields, variable_for(message, struct))
        lines.append(f"{full} {full}::Read(WireReader& reader, "
                     f"{version_parameter(read)}) {{")
        lines += read + ["}", ""]
    lines.append(f"}}  // namespace {namespace}")
    return "\n".join(lines) + "\n"


# ---- Round-trip tests --------------------------------------------------


class Samples:
    """Sample values, each different from the last and from the defaults."""

    def __init__(self):
        self.counter = 0

    def value(self, message, type_name, name):
        self.counter += 1
        n = self.counter
        if type_name.startswith("[]"):
            item = type_name[2:]
            items = ", ".join(self.value(message, item, name) for _ in range(2))
            return f"{cpp_type(type_name, message.name + '::')}{{{items}}}"
        if type_name == "bool":
            return "true"
        if type_name == "ErrorCode":
            return "ErrorCode::kUnknownTopicOrPartition"
        if type_name in ("int8", "int16", "uint16", "int32", "int64"):
            return f"{cpp_type(type_name)}{{{n % 100 + 2}}}"
        if type_name == "string":
            return f'std::string("{name}-{n}")'
        if type_name in ("bytes", "records"):
            return f"Bytes{{{n % 200}, {n % 200 + 1}}}"
        if type_name == "uuid":  # not zero, the default
            return f"Uuid(std::array<uint8_t, 16>{{{n % 200 + 1}, {n % 200 + 2}}})"
        return f"Sample{snake_struct(message, type_name)}(version)"


def snake_struct(message, struct):
    return message.name + ("" if struct == message.name else struct)


def sample_functions(message, samples):
    """C++ functions building a message with every field a version has set."""
    out = []
    for struct, fields in message.structs:
        message.enter(struct)
        full = qualified(message, struct)
        body = [f"{full} value;"]
        for field in fields:
            present = [v for v in message.base if message.has(field, v)]
            if not present:
                continue
            if field["type"] == "bool" and field.get("default") is True:
                value = "false"
            else:
                value = samples.value(message, field["type"], field["name"])
            body.append(guard(message.condition(present),
                              f"value.{field['name']} = {value};"))
            absent = [v for v in message.base if v not in present]
            if "absentValueFrom" in field and absent:
                body.append(guard(message.condition(absent),
                                  f"value.{field['name']} = "
                                  f"value.{field['absentValueFrom']};"))
        body.append("return value;")
        out.append(f"{full} Sample{snake_struct(message, struct)}"
                   f"({version_parameter(body)}) {{")
        out += body + ["}", ""]
    return out


def default_function(message):
    """C++ building a default message as it reads back at `version`."""
    message.enter(message.name)
    body = [f"{message.name} value;"]
    for field in message.schema["fields"]:
        absent = [v for v in message.base if not message.has(field, v)]
        if "absentValueFrom" in field and absent:
            body.append(guard(message.condition(absent),
                              f"value.{field['name']} = "
                              f"value.{field['absentValueFrom']};"))
        nullable = parse_versions(field.get("nullableVersions"))
        empty_is_null = parse_versions(field.get("emptyIsNullVersions"))
        never_null = [v for v in message.base if message.has(field, v)
                      and not in_versions(v, nullable)
                      and not in_versions(v, empty_is_null)]
        if nullable and never_null:
            body.append(guard(message.condition(never_null),
                              f"value.{field['name']}.emplace();"))
    body.append("return value;")
    return ([f"{message.name} Default{message.name}({version_parameter(body)}) {{"]
            + body + ["}", ""])


def test_text(messages, includes, namespace):
    lines = [
        "// Generated by lib/protocol/message_codegen.py: every message, at",
        "// every version it has, encodes and decodes back to itself, once",
        "// with every field set and once with the defaults.",
        "#include <gtest/gtest.h>",
        "",
        '#include "lib/protocol/message.h"',
        *[f'#include "{include}"' for include in includes],
        "",
        f"namespace {namespace} {{",
        "namespace {",
        "",
        "template <typename Message>",
        "void ExpectRoundTrip(const Message& message, int16_t version) {",
        "  auto api = static_cast<ApiKey>(Message::kApiKey);",
        "  Bytes encoded = EncodeMessage(message, api, version);",
        "  Result<Message> decoded =",
        '      DecodeMessage<Message>(encoded, api, version, 0, "message");',
        "  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();",
        '  EXPECT_TRUE(decoded.value() == message) << "version " << version;',
        "  EXPECT_EQ(EncodeMessage(decoded.value(), api, version), encoded)",
        '      << "version " << version;',
        "}",
        "",
    ]
    samples = Samples()
    for message in messages:
        lines += sample_functions(message, samples)
        lines += default_function(message)
        lines += [
            f"TEST(SchemaRoundTripTest, {message.name}) {{",
            f"  for (int16_t version = {message.name}::kMinVersion;",
            f"       version <= {message.name}::kMaxVersion; ++version) {{",
            f"    ExpectRoundTrip(Sample{message.name}(version), version);",
            f"    ExpectRoundTrip(Default{message.name}(version), version);",
            "  }",
            "}",
            "",
        ]
    lines += version_checks(messages)
    lines += ["}  // namespace", f"}}  // namespace {namespace}"]
    return "\n".join(lines) + "\n"


def version_checks(messages):
    """A request and its response must agree on the versions (the API table
    in api_keys.cc takes them from the request)."""
    requests = {m.schema["apiKey"]: m.name for m in messages
                if m.schema["type"] == "request"}
    lines = []
    for message in messages:
        request = requests.get(message.schema["apiKey"])
        if message.schema["type"] == "response" and request:
            for constant in ("kMinVersion", "kMaxVersion", "kFirstFlexibleVersion"):
                lines.append(f"static_assert({request}::{constant} == "
                             f"{message.name}::{constant});")
    return lines + [""] if lines else []


def formatted(text, args, filename):
    if not args.clang_format:
        return text
    return subprocess.run(
        [args.clang_format, f"--style={args.style}",
         f"--assume-filename={filename}"],
        input=text, capture_output=True, text=True, check=True).stdout


def write(path, text, args):
    with open(path, "w") as f:
        f.write(formatted(text, args, path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schemas", nargs="+")
    parser.add_argument("--header")
    parser.add_argument("--source")
    parser.add_argument("--test")
    parser.add_argument("--include", action="append", default=[])
    parser.add_argument("--namespace", default="kafka")
    parser.add_argument("--clang-format")
    parser.add_argument("--style", default="file")
    args = parser.parse_args()
    messages = [Message(*load_schema(path)) for path in args.schemas]
    if args.test:
        write(args.test, test_text(messages, args.include, args.namespace), args)
        return
    write(args.header, header_text(messages[0], args.schemas[0], args.namespace),
          args)
    write(args.source,
          source_text(messages[0], args.include[0], args.namespace), args)


if __name__ == "__main__":
    main()
