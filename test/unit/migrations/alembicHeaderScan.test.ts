// The fast header scan must never disagree with the real Python parser: whatever it accepts,
// readAlembicHeader (lezer) reads the same way, and what it does not know it hands over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAlembicHeader, readAlembicHeaderQuickly } from '../../../src/core/migrations/alembicHeader';
import { scanAlembicHeader } from '../../../src/core/migrations/alembicHeaderScan';
import { alembicScript } from './repo';

const TEMPLATE_HEADERS: Record<string, string> = {
  // `alembic revision` with the default script.py.mako, before and after 1.12's annotations.
  classic: `"""add email\n\nRevision ID: 0e0e\nRevises: f00d\nCreate Date: 2024-05-01 10:00:00.000000\n\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n# revision identifiers, used by Alembic.\nrevision = '0e0e'\ndown_revision = 'f00d'\nbranch_labels = None\ndepends_on = None\n\n\n`,
  annotated: `"""add email\n\nRevision ID: 0e0e\nRevises: f00d\n"""\nfrom typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n# revision identifiers, used by Alembic.\nrevision: str = '0e0e'\ndown_revision: Union[str, None] = 'f00d'\nbranch_labels: Union[str, Sequence[str], None] = None\ndepends_on: Union[str, Sequence[str], None] = None\n\n\n`,
  pep604: `"""m"""\nfrom __future__ import annotations\nrevision: str = "a1"\ndown_revision: str | tuple[str, ...] | None = ("b1", "c1")\n`,
  merge: `"""merge heads\n\nRevision ID: m1\nRevises: a1, b1\n"""\nrevision = 'm1'\ndown_revision = ('a1', 'b1')\nbranch_labels = None\n`,
  mergeList: `revision = "m2"\ndown_revision = [\n    "a1",\n    "b1",\n]\n`,
  codingLine: `# -*- coding: utf-8 -*-\n"""first line\n"""\nrevision = 'x1'\ndown_revision = None\n`,
  crlf: `"""crlf message\r\n\r\nRevision ID: c1\r\n"""\r\nfrom alembic import op\r\nrevision = 'c1'\r\ndown_revision = 'b0'\r\n`,
  parenthesizedImport: `from sqlalchemy.dialects import (\n    postgresql,\n    mysql as my,\n)\nfrom . import helpers\nimport sqlalchemy as sa, json\nrevision = 'p1'\ndown_revision = None\n`,
  rawAndByteStrings: `r"""raw \\d docstring"""\nrevision = r'r1'\ndown_revision = b'r0'\n`,
  tupleOfOne: `revision = 't1'\ndown_revision = ('t0',)\n`,
  otherAssignments: `revision = 'o1'\ndown_revision = 'o0'\nbranch_labels = ('feature',)\ndepends_on = None\nsome_flag = True\nretries = 3\nalias = sa\n`,
  reassigned: `revision = 'early'\ndown_revision = None\nrevision = 'late'\n`,
  stringAfterImport: `import os\n"""not the docstring"""\nrevision = 'a'\ndown_revision = None\n`,
  noDocstring: `revision = 'n1'\n\n\ndown_revision = 'n0'  # the parent\n`,
};

// Shapes the scan leaves to the parser (it must answer undefined or, if ever accepted, agree).
const OTHER_HEADERS: Record<string, string> = {
  unterminatedString: `revision = 'a\ndown_revision = None\n`,
  unterminatedDocstring: `"""never closed\nrevision = 'a'\ndown_revision = None\n`,
  openBracket: `revision = 'a'\ndown_revision = ('b',\n`,
  strayClose: `revision = 'a'\ndown_revision = 'b')\n`,
  backslashContinuation: `revision = \\\n    'a'\ndown_revision = None\n`,
  indentedBlock: `import os\nif os.environ.get('X'):\n    revision = 'a'\nelse:\n    revision = 'b'\ndown_revision = None\n`,
  semicolons: `revision = 'a'; down_revision = None\n`,
  tupleUnpacking: `revision, down_revision = 'a', None\n`,
  tupleUnpackingShort: `revision, down_revision = 'a'\n`,
  chained: `revision = down_revision = 'a'\n`,
  keywordTarget: `None = 'a'\nrevision = 'a'\ndown_revision = None\n`,
  fString: `revision = f'a'\ndown_revision = None\n`,
  implicitConcatenation: `revision = 'a' 'b'\ndown_revision = None\n`,
  concatenatedDocstring: `"doc" "more"\nrevision = 'a'\ndown_revision = None\n`,
  parenthesizedRevision: `revision = ('a')\ndown_revision = None\n`,
  tupleRevision: `revision = ('a',)\ndown_revision = None\n`,
  emptyTuple: `revision = 'a'\ndown_revision = ()\n`,
  callValue: `revision = 'a'\ndown_revision = str(None)\n`,
  missingDown: `revision = 'a'\n`,
  nonAsciiName: `révision = 'x'\nrevision = 'a'\ndown_revision = None\n`,
  attributeTarget: `op.x = 1\nrevision = 'a'\ndown_revision = None\n`,
  starImport: `from alembic import *\nrevision = 'a'\ndown_revision = None\n`,
  badImport: `import sqlalchemy as\nrevision = 'a'\ndown_revision = None\n`,
  badAnnotation: `revision: Union[str,, None] = 'a'\ndown_revision = None\n`,
  floatValue: `revision = 'a'\ndown_revision = None\nratio = 1.5\n`,
  hexValue: `revision = 'a'\ndown_revision = None\nmask = 0x10\n`,
  formFeed: `\frevision = 'a'\ndown_revision = None\n`,
  escapedQuote: `revision = 'it\\'s'\ndown_revision = "b\\"c"\n`,
};

function agree(name: string, text: string): ReturnType<typeof scanAlembicHeader> {
  const scanned = scanAlembicHeader(text);
  if (scanned) assert.deepEqual(scanned, readAlembicHeader(text), `${name}: the scan accepted ${JSON.stringify(text)} and read it differently from the parser`);
  return scanned;
}

void test('alembic header scan: every template shape is read without the parser, exactly as the parser reads it', () => {
  for (const [name, text] of Object.entries(TEMPLATE_HEADERS)) {
    assert.ok(agree(name, text), `${name}: the scan should accept ${JSON.stringify(text)}`);
  }
  assert.deepEqual(scanAlembicHeader(TEMPLATE_HEADERS.merge), { problems: [], message: 'merge heads', revision: 'm1', downRevisions: ['a1', 'b1'] });
  assert.deepEqual(scanAlembicHeader(TEMPLATE_HEADERS.codingLine)?.message, 'first line');
  assert.deepEqual(scanAlembicHeader(TEMPLATE_HEADERS.stringAfterImport)?.message, undefined);
  assert.equal(scanAlembicHeader(TEMPLATE_HEADERS.reassigned)?.revision, 'late', 'the last assignment is the one Alembic sees');
});

void test('alembic header scan: shapes outside its grammar go to the parser, never a different answer', () => {
  const accepted: string[] = [];
  for (const [name, text] of Object.entries(OTHER_HEADERS)) if (agree(name, text)) accepted.push(name);
  // Only the plain escaped-quote strings are in the grammar; the rest must be handed over.
  assert.deepEqual(accepted, ['escapedQuote']);
  assert.deepEqual(scanAlembicHeader(OTHER_HEADERS.escapedQuote)?.revision, "it's");
});

void test('alembic header scan: agrees with the parser on 3,000 generated headers mixing good and broken lines', () => {
  // A fixed-seed generator (mulberry32) so a failure names a reproducible case.
  let seed = 0x5eed;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const pieces = [
    ...Object.values(TEMPLATE_HEADERS),
    ...Object.values(OTHER_HEADERS),
    `revision = 'g1'\n`,
    `down_revision = 'g0'\n`,
    `down_revision = None\n`,
    `down_revision = ('g0', 'h0')\n`,
    `"""a docstring\n\nwith lines\n"""\n`,
    `# a comment with 'quotes' and """triple"""\n`,
    `\n`,
    `from alembic import op\n`,
    `import sqlalchemy as sa\n`,
    `x = (\n`,
    `)\n`,
    `    indented = 1\n`,
    `revision: str = 'g2'\n`,
    `'''single-quoted docstring'''\n`,
    `depends_on = ['other']\n`,
  ];
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    const count = 1 + Math.floor(random() * 5);
    let text = '';
    for (let k = 0; k < count; k++) text += pick(pieces);
    if (agree(`generated #${i}`, text)) accepted++;
  }
  // The generator must exercise the accepting path, or this test would prove nothing.
  assert.ok(accepted > 300, `only ${accepted} of 3000 generated headers went through the scan`);
});

void test('the quick header read equals the full parse on whole scripts in both template styles', () => {
  for (const style of ['plain', 'annotated'] as const) {
    for (const down of ['None', "'f00d'", "('a', 'b')"]) {
      const script = alembicScript('0e0e', down, 'add email', style);
      assert.deepEqual(readAlembicHeaderQuickly(script), readAlembicHeader(script), `${style} ${down}`);
    }
  }
});

void test('the parser-based header reader: a coding comment before the docstring, `;` groups and tuple unpacking', () => {
  assert.equal(readAlembicHeader(TEMPLATE_HEADERS.codingLine).message, 'first line');
  assert.deepEqual(readAlembicHeader(OTHER_HEADERS.semicolons), { problems: [], revision: 'a', downRevisions: [] });
  assert.deepEqual(readAlembicHeader(OTHER_HEADERS.tupleUnpacking), { problems: [], revision: 'a', downRevisions: [] });
  assert.deepEqual(readAlembicHeader(`(revision, down_revision) = ('a', ('b', 'c'))\n`), { problems: [], revision: 'a', downRevisions: ['b', 'c'] });
  assert.deepEqual(readAlembicHeader(OTHER_HEADERS.tupleUnpackingShort).problems, [
    'revision is assigned by unpacking 2 names from something that is not 2 values (line 1, column 1)',
    'down_revision is assigned by unpacking 2 names from something that is not 2 values (line 1, column 11)',
  ]);
  assert.deepEqual(readAlembicHeader(OTHER_HEADERS.chained), { problems: [], revision: 'a', downRevisions: ['a'] });
});
