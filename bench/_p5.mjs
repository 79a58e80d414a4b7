import { readFolder, readSource, mapLimited } from '../src/core/migrations/folder.ts';
import { classifyShallow } from '../src/core/migrations/shallow.ts';
import { readAlembicHeaderQuickly } from '../src/core/migrations/alembicHeader.ts';
import { NodeFileSystem } from '../src/infra/fs.ts';
const corpus = '/work/main/.test-work/bench/classify-corpus';
for (let r=0;r<6;r++){
  const fs = new NodeFileSystem(corpus);
  let t=performance.now(); const l = await readFolder(fs,'alembic/versions',true); const a=performance.now()-t;
  t=performance.now(); const srcs = await mapLimited(l.files,16,f=>readSource(fs,f.path,f.name)); const b=performance.now()-t;
  t=performance.now(); for (const s of srcs) readAlembicHeaderQuickly(s.text); const c=performance.now()-t;
  const fs2 = new NodeFileSystem(corpus);
  t=performance.now(); const l2 = await readFolder(fs2,'alembic/versions',true); await classifyShallow(fs2,l2,'alembic'); const d=performance.now()-t;
  console.log(JSON.stringify({list:a,read:b,parse:c,whole:d}));
}
