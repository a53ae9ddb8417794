#!/usr/bin/env python3
"""Counts of Tests/Fixtures/hotline/sentences.jsonl by seeded area and by feature (no dependencies)."""
import collections, json, os, re

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
AREAS = [('武汉', '4201'), ('石家庄', '1301'), ('贵阳', '5201'), ('碧江区', '520602'), ('兴义市', '522301'),
         ('阳谷县', '371521'), ('广平县', '130432')]
rows = [json.loads(l) for l in open(os.path.join(ROOT, 'Tests/Fixtures/hotline/sentences.jsonl'), encoding='utf-8')]
areas, districts, features = collections.Counter(), collections.defaultdict(set), collections.Counter()
for r in rows:
    e, q = r['expect'], r['q']
    dc = e['district_code']
    if e['in_catalogue'] is True:
        area = next(name for name, p in AREAS if dc.startswith(p))
        areas[area] += 1
        if not dc.endswith('00'):
            districts[area].add(dc)
    elif e['in_catalogue'] is False:
        features['out of catalogue'] += 1
    else:
        features['no place understood'] += 1
    if 'business' in e.get('clarify', []): features['ambiguous business word'] += 1
    if 'place' in e.get('clarify', []): features['place question'] += 1
    if e.get('online_channel'): features['online only'] += 1
    if re.search(r'[a-zA-Z]', q): features['pinyin'] += 1
    if re.search(r'typo|traditional', e['note']): features['typo or traditional (noted)'] += 1
    if 'time' in e and r['now'][11:16] != e['time']: features['clock time said'] += 1
    if e['date'] != r['now'][:10]: features['another day than now'] += 1
    if re.search(r'国庆|十一|春节|年后|过完年|五一|端午|中秋|元旦', q): features['holiday word'] += 1
print(len(rows), 'sentences')
for name, _ in AREAS:
    print(f'  {name}: {areas[name]} sentences, {len(districts[name])} distinct districts')
for k, v in sorted(features.items()):
    print(f'  {k}: {v}')
