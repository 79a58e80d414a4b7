# Rollback Pilot's Ansible filter: whether a health check's answer meets its JSON expectations,
# judged as the product judges them for a single host (src/core/verification/jsonPath.ts):
# each expectation names one value by its path segments (names and list indexes) and the value
# it must equal; a string expectation also accepts a number or boolean that prints the same.
# Python standard library only: it runs inside whatever ansible-core the operator has.
from __future__ import annotations

import json

_MISSING = object()


def _lookup(node, segments):
    for seg in segments:
        if isinstance(seg, bool):
            return _MISSING
        if isinstance(seg, int):
            if not isinstance(node, list) or seg >= len(node):
                return _MISSING
            node = node[seg]
        else:
            if not isinstance(node, dict) or seg not in node:
                return _MISSING
            node = node[seg]
    return node


def _prints(value):
    # As JavaScript's String() prints a JSON number or boolean.
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _same(a, b):
    # JSON equality with JSON's types: True is not 1 here, as it is not in the product.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def json_expectations_met(content, spec):
    """content: the response body as text; spec: JSON text of [{"segments": [...], "equals": ...}]."""
    try:
        root = json.loads(content if isinstance(content, str) else str(content))
        expectations = json.loads(str(spec))
    except (TypeError, ValueError):
        return False
    for e in expectations:
        actual = _lookup(root, e.get('segments', []))
        if actual is _MISSING:
            return False
        expected = e.get('equals')
        if isinstance(expected, str) and isinstance(actual, (int, float, bool)):
            if _prints(actual) != expected:
                return False
        elif not _same(actual, expected):
            return False
    return True


class FilterModule(object):
    def filters(self):
        return {'rollback_pilot_json': json_expectations_met}
