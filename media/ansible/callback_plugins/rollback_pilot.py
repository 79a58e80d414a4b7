# Rollback Pilot's Ansible callback: one JSON line per host x task event, written as it
# happens to the file named by ROLLBACK_PILOT_EVENTS, so the extension follows a rollout
# live (the built-in json callback prints only at the end). Python standard library only:
# it runs inside whatever ansible-core the operator has. The extension reads the lines as
# they come; a line is flushed whole, so a reader never sees half of one.
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: rollback_pilot
    type: notification
    short_description: per host and task events for Rollback Pilot, one JSON line each
    description:
      - Appends one JSON object per line to the file in ROLLBACK_PILOT_EVENTS.
    requirements:
      - enabled with ANSIBLE_CALLBACKS_ENABLED=rollback_pilot
'''

TAIL = 2000
# A failed health check's response body goes to the product whole, or not at all: the product
# judges it with a single host's own words (which JSON path, what was found, what was expected),
# and a cut body is not JSON. Larger bodies keep Ansible's own message.
BODY_MAX = 65536


def _tail(value):
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return value[-TAIL:]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'rollback_pilot'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._batch = 0
        path = os.environ.get('ROLLBACK_PILOT_EVENTS')
        # Line-buffered append: each event reaches the file as soon as it is written.
        self._out = open(path, 'a', buffering=1, encoding='utf-8') if path else None

    def _emit(self, event, **fields):
        if self._out is None:
            return
        record = {'v': 1, 'event': event, 'at': int(time.time() * 1000), 'batch': self._batch}
        record.update({k: v for k, v in fields.items() if v is not None})
        self._out.write(json.dumps(record, ensure_ascii=True, default=str) + '\n')
        self._out.flush()

    def v2_playbook_on_start(self, playbook):
        self._emit('start', pid=os.getpid())

    def v2_playbook_on_play_start(self, play):
        # Ansible starts the play once per batch (serial), with the inventory restricted to it.
        self._batch += 1
        hosts = None
        try:
            inventory = play.get_variable_manager()._inventory
            hosts = [h.name for h in inventory.get_hosts(play.hosts, order=play.order)]
        except Exception:  # the batch's hosts are a courtesy; the task events carry the host anyway
            hosts = None
        self._emit('batch', hosts=hosts)

    def v2_runner_on_start(self, host, task):
        self._emit('task_start', host=host.get_name(), task=task.get_name())

    def _result(self, event, result, **extra):
        r = result._result if isinstance(result._result, dict) else {}
        content = r.get('content')
        if event != 'failed' or not isinstance(content, str) or len(content) > BODY_MAX:
            content = None
        self._emit(
            event,
            host=result._host.get_name(),
            task=result._task.get_name(),
            changed=bool(r.get('changed', False)),
            rc=r.get('rc'),
            status=r.get('status'),
            attempts=r.get('attempts'),
            msg=_tail(r.get('msg')),
            stdout=_tail(r.get('stdout')),
            stderr=_tail(r.get('stderr')),
            skipped=bool(r.get('skipped', False)) or None,
            content=content,
            **extra,
        )

    def v2_runner_on_ok(self, result):
        self._result('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result('failed', result, ignored=bool(ignore_errors) or None)

    def v2_runner_on_unreachable(self, result):
        self._result('unreachable', result)

    def v2_runner_on_skipped(self, result):
        self._result('skipped', result)

    def v2_runner_retry(self, result):
        self._result('retry', result)

    def v2_playbook_on_no_hosts_remaining(self):
        self._emit('no_hosts_remaining')

    def v2_playbook_on_stats(self, stats):
        summary = {}
        for host in sorted(stats.processed.keys()):
            summary[host] = stats.summarize(host)
        self._emit('end', stats=summary)
        if self._out is not None:
            self._out.close()
            self._out = None
