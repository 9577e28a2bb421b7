"""Kafka messages generated from schemas (see message_codegen.py).

Each schema, messages/MetadataRequest.json say, becomes
messages/metadata_request.h and .cc (in bazel-bin), which include as
"lib/protocol/messages/metadata_request.h".
"""

_CODEGEN = "//lib/protocol:message_codegen.py"

# The generator formats what it writes in the project's style, /.clang-format.
_STYLE = "//:.clang-format"
_FORMAT = "--clang-format /usr/bin/clang-format --style file:$(location %s)" % _STYLE

def _snake(name):
    """MetadataRequest -> metadata_request."""
    out = ""
    for i in range(len(name)):
        c = name[i]
        if c.isupper() and i > 0:
            out += "_"
        out += c.lower()
    return out

def _base(schema):
    return _snake(schema.split("/")[-1][:-len(".json")])

def generated_message_codec(schemas, namespace = "kafka"):
    """Declares a genrule per schema; returns a struct of the hdrs and srcs."""
    hdrs, srcs = [], []
    for schema in schemas:
        base = "messages/" + _base(schema)
        native.genrule(
            name = base.replace("/", "_") + "_codec",
            srcs = [schema, _STYLE],
            outs = [base + ".h", base + ".cc"],
            tools = [_CODEGEN],
            cmd = ("/usr/bin/python3 $(location %s) --header $(location %s.h) " +
                   "--source $(location %s.cc) --include %s/%s.h " +
                   "--namespace %s %s $(location %s)") % (
                _CODEGEN,
                base,
                base,
                native.package_name(),
                base,
                namespace,
                _FORMAT,
                schema,
            ),
        )
        hdrs.append(base + ".h")
        srcs.append(base + ".cc")
    return struct(hdrs = hdrs, srcs = srcs)

def message_round_trip_test(name, schemas, deps, namespace = "kafka"):
    """A cc_test, generated from `schemas`: every message round-trips at
    every version it has, with every field set and with the defaults."""
    includes = " ".join([
        "--include %s/messages/%s.h" % (native.package_name(), _base(s))
        for s in schemas
    ])
    native.genrule(
        name = name + "_source",
        srcs = schemas + [_STYLE],
        outs = [name + ".cc"],
        tools = [_CODEGEN],
        cmd = ("/usr/bin/python3 $(location %s) --test $@ %s --namespace %s " +
               "%s %s") % (
            _CODEGEN,
            includes,
            namespace,
            _FORMAT,
            " ".join(["$(location %s)" % s for s in schemas]),
        ),
    )
    native.cc_test(
        name = name,
        srcs = [name + ".cc"],
        deps = deps + ["//third_party:gtest_main"],
    )
