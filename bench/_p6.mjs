import { readFolder, readSource, mapLimited } from '../src/core/migrations/folder.ts';
import { NodeFileSystem } from '../src/infra/fs.ts';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
const rf = promisify(fs.readFile);
const corpus = '/work/main/.test-work/bench/classify-corpus';
const nfs = new NodeFileSystem(corpus);
const l = await readFolder(nfs,'alembic/versions',true);
const abs = l.files.map(f=>corpus+'/'+f.path);
const res = {};
const time = async (k,f)=>{ const t=performance.now(); await f(); (res[k]??=[]).push(performance.now()-t); };
for (let r=0;r<15;r++){
  await time('raw16', ()=>mapLimited(abs,16,p=>rf(p)));
  await time('rawAll', ()=>Promise.all(abs.map(p=>rf(p))));
  await time('port16', ()=>mapLimited(l.files,16,f=>nfs.readFile(f.path)));
  await time('src16', ()=>mapLimited(l.files,16,f=>readSource(nfs,f.path,f.name)));
  await time('src64', ()=>mapLimited(l.files,64,f=>readSource(nfs,f.path,f.name)));
  await time('sync', ()=>abs.map(p=>fs.readFileSync(p)));
}
for (const [k,v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, v[7].toFixed(1)); }
