#!/usr/bin/env python3
"""Checks a config dump against Envoy's v3 API, field by field.

Every key must be a field of its protobuf message (snake_case, as Envoy's /config_dump prints
them), every `@type` must name a known message, enums must use their value names, durations must
be protobuf JSON durations within protobuf's range, integers must fit their protobuf type, and
at most one member of each oneof may be set. Values are also held to the limits Envoy's own
validation rules set where a rendered config could cross them: ports up to 65535, percentages
from 0 to 100, direct-response statuses from 200 to 599. The message
definitions come from the `envoy_data_plane` package (Envoy's data-plane-api protos as Python
classes): pip install envoy_data_plane.

Usage: check-envoy-schema.py DUMP.json [DUMP.json ...]      exit 0 when every file conforms
"""
import dataclasses
import enum
import importlib
import json
import re
import sys
import types
import typing

DURATION = re.compile(r"^-?[0-9]+(\.[0-9]{1,9})?s$")
# protobuf's Duration: at most 10,000 years either way.
MAX_DURATION_SECONDS = 315_576_000_000
INTEGER_RANGES = {
    "int32": (-(2**31), 2**31 - 1), "sint32": (-(2**31), 2**31 - 1), "sfixed32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1), "fixed32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1), "sint64": (-(2**63), 2**63 - 1), "sfixed64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1), "fixed64": (0, 2**64 - 1),
}
# Envoy's validation rules (protoc-gen-validate) that a rendered config could cross:
# (message, field) -> (low, high).
ENVOY_LIMITS = {
    ("SocketAddress", "port_value"): (0, 65535),
    ("Percent", "value"): (0, 100),
    ("DirectResponseAction", "status"): (200, 599),
}


def message_class(type_url):
    name = type_url.rsplit("/", 1)[-1]
    package, _, message = name.rpartition(".")
    try:
        module = importlib.import_module("envoy_data_plane." + package)
    except ModuleNotFoundError:
        return None
    found = getattr(module, message, None)
    if found is None:  # the Python classes rename some messages (HTTPFault is HttpFault)
        found = next((getattr(module, n) for n in dir(module) if n.lower() == message.lower()), None)
    return found


def unwrap(hint):
    """(kind, inner): kind is 'list', 'map' or 'one'."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return unwrap(args[0])
    if origin is list:
        return "list", typing.get_args(hint)[0]
    if origin is dict:
        return "map", typing.get_args(hint)[1]
    return "one", hint


class Checker:
    def __init__(self):
        self.errors = []

    def error(self, path, message):
        self.errors.append(f"{path}: {message}")

    def check_any(self, value, path):
        if not isinstance(value, dict) or "@type" not in value:
            self.error(path, "an Any without @type")
            return
        cls = message_class(value["@type"])
        if cls is None:
            self.error(path, f"unknown @type {value['@type']}")
            return
        self.check_message({k: v for k, v in value.items() if k != "@type"}, cls, path)

    def check_value(self, value, hint, path, proto_type=None):
        kind, inner = unwrap(hint)
        if kind == "list":
            if not isinstance(value, list):
                self.error(path, "expected a list")
                return
            for i, item in enumerate(value):
                self.check_value(item, inner, f"{path}[{i}]", proto_type)
            return
        if kind == "map":
            if not isinstance(value, dict):
                self.error(path, "expected a map")
                return
            for k, item in value.items():
                self.check_value(item, inner, f"{path}.{k}")
            return
        name = getattr(inner, "__name__", str(inner))
        module = getattr(inner, "__module__", "")
        if inner is bool:
            if not isinstance(value, bool):
                self.error(path, f"expected a bool, got {value!r}")
        elif inner is int:
            if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())):
                self.error(path, f"expected an integer, got {value!r}")
            elif proto_type in INTEGER_RANGES:
                low, high = INTEGER_RANGES[proto_type]
                if not low <= int(value) <= high:
                    self.error(path, f"{value} does not fit a protobuf {proto_type}")
        elif inner is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.error(path, f"expected a number, got {value!r}")
        elif inner in (str, bytes):
            if not isinstance(value, str):
                self.error(path, f"expected a string, got {value!r}")
        elif name == "timedelta":
            if not (isinstance(value, str) and DURATION.match(value)):
                self.error(path, f"expected a protobuf duration such as 1.5s, got {value!r}")
            elif abs(float(value[:-1])) > MAX_DURATION_SECONDS:
                self.error(path, f"{value} is beyond protobuf's duration range")
        elif name == "datetime":
            if not isinstance(value, str):
                self.error(path, "expected a timestamp")
        elif isinstance(inner, type) and issubclass(inner, enum.Enum):
            names = {m.name for m in inner} | {m.name.split("_", 1)[-1] for m in inner}
            proto_names = set(getattr(inner, "_proto_names", {}).values()) if hasattr(inner, "_proto_names") else set()
            if not (isinstance(value, str) and (value in names or value in proto_names)):
                self.error(path, f"{value!r} is not a value of enum {name}")
        elif name == "Any" and "protobuf" in module:
            self.check_any(value, path)
        elif name in ("Struct",) and "protobuf" in module:
            if not isinstance(value, dict):
                self.error(path, "expected an object (Struct)")
        elif name in ("Value", "ListValue") and "protobuf" in module:
            pass
        elif dataclasses.is_dataclass(inner):
            self.check_message(value, inner, path)
        else:
            self.error(path, f"cannot check type {inner}")

    def check_message(self, value, cls, path):
        if not isinstance(value, dict):
            self.error(path, f"expected a {cls.__name__} object, got {type(value).__name__}")
            return
        if cls.__name__ == "Any" and "protobuf" in cls.__module__:
            self.check_any(value, path)
            return
        fields = {f.name: f for f in dataclasses.fields(cls)}
        hints = typing.get_type_hints(cls)
        groups = {}
        for key, item in value.items():
            if key == "@type":
                continue
            if key not in fields:
                self.error(path, f"{cls.__name__} has no field `{key}`")
                continue
            meta = fields[key].metadata.get("betterproto")
            group = getattr(meta, "group", None)
            if group:
                groups.setdefault(group, []).append(key)
            self.check_value(item, hints[key], f"{path}.{key}", getattr(meta, "proto_type", None))
            limit = ENVOY_LIMITS.get((cls.__name__, key))
            if limit and isinstance(item, (int, float)) and not isinstance(item, bool):
                if not limit[0] <= item <= limit[1]:
                    self.error(f"{path}.{key}", f"{item} is outside what Envoy accepts ({limit[0]} to {limit[1]})")
        for group, keys in groups.items():
            if len(keys) > 1:
                self.error(path, f"oneof {group} has several members set: {', '.join(keys)}")


def main(paths):
    failed = 0
    for path in paths:
        with open(path) as f:
            dump = json.load(f)
        checker = Checker()
        configs = dump.get("configs")
        if not isinstance(configs, list):
            checker.error(path, "no configs list")
        else:
            for i, config in enumerate(configs):
                checker.check_any(config, f"configs[{i}]")
        if checker.errors:
            failed += 1
            print(f"{path}: {len(checker.errors)} problem(s)")
            for e in checker.errors:
                print("  " + e)
        else:
            print(f"{path}: conforms to Envoy's v3 API")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(64)
    sys.exit(main(sys.argv[1:]))
