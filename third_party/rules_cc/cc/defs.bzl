"""The C++ rules, forwarded to Bazel's native ones.

This is what rules_cc was for Bazel 4: a stable place to load the rules from.
Debian's bazel-rules-cc package needs Bazel 5, so the project carries this copy.
"""

def cc_library(**attrs):
    native.cc_library(**attrs)

def cc_binary(**attrs):
    native.cc_binary(**attrs)

def cc_test(**attrs):
    native.cc_test(**attrs)

def cc_import(**attrs):
    native.cc_import(**attrs)

def cc_toolchain(**attrs):
    native.cc_toolchain(**attrs)

def cc_toolchain_suite(**attrs):
    native.cc_toolchain_suite(**attrs)

def objc_library(**attrs):
    native.objc_library(**attrs)

def cc_proto_library(**attrs):
    native.cc_proto_library(**attrs)
