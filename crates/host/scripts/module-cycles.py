#!/usr/bin/env python3
"""Lists the import cycles between ferry-host modules (strongly connected components of the
graph of `crate::` and `super::` paths, comments ignored): `module-cycles.py crates/host/src -v`.
A diagnostic for untangling the crate (issue 18 section 5), not a CI check yet."""
import os,re,sys
root=sys.argv[1]
mods={}
for dp,_,fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(dp,f); rel=os.path.relpath(p,root)[:-3]
        parts=rel.split('/')
        if parts[-1] in('mod','lib'): parts=parts[:-1]
        mods["::".join(parts)]="\n".join(l for l in open(p).read().split("\n") if not l.strip().startswith("//"))
def resolve(path,cur):
    # path like a::b::c ; find longest prefix that is a module
    segs=path.split('::')
    for i in range(len(segs),0,-1):
        m='::'.join(segs[:i])
        if m in mods: return m
    return None
edges={m:set() for m in mods}
for m,src in mods.items():
    # crate:: paths, super:: paths
    for mt in re.finditer(r'crate::([a-z_][a-z_0-9]*(?:::[a-z_][a-z_0-9]*)*)(::\{([^}]*)\})?',src):
        base=mt.group(1)
        t=resolve(base,m)
        if mt.group(3):
            for item in mt.group(3).split(','):
                item=item.strip().split(' ')[0].split('::')[0]
                if item in ('self',''): continue
                t2=resolve(base+'::'+item,m)
                if t2 and t2!=m: edges[m].add(t2)
        if t and t!=m: edges[m].add(t)
    parent=m.rsplit('::',1)[0] if '::' in m else ''
    for mt in re.finditer(r'super::([a-z_][a-z_0-9]*(?:::[a-z_][a-z_0-9]*)*)?(::\{([^}]*)\})?',src):
        # super relative to module m: if m is a dir mod (mod.rs) super is parent... approx
        base=parent
        sub=mt.group(1)
        full=(base+'::'+sub) if (base and sub) else (sub or base)
        t=resolve(full,m) if full else None
        if mt.group(3):
            for item in mt.group(3).split(','):
                item=item.strip().split(' ')[0].split('::')[0]
                if item in ('self',''): continue
                t2=resolve((full+'::'+item) if full else item,m)
                if t2 and t2!=m: edges[m].add(t2)
        if t and t!=m: edges[m].add(t)
# drop edges child->parent module where parent is just a namespace? keep all
# tarjan
idx={};low={};st=[];on=set();sccs=[];c=[0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        sccs.append(comp)
for v in mods:
    if v not in idx: sc(v)
big=[s for s in sccs if len(s)>1]
for s in big:
    print(len(s),sorted(s))
    if '-v' in sys.argv:
        for a in sorted(s):
            print('  ',a,'->',sorted(x for x in edges[a] if x in s))
