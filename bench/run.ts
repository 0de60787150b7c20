/**
 * The bench runner: `npm run bench [-- --quick] [--group a,b] [--strict]`.
 *
 * Every file in `bench/groups/` that exports `group` is one group: its cases run in one
 * tinybench session, a table is printed with each case's ratio to the group's baseline measured
 * in the same run, its goals are checked, and every figure goes to `bench/results/latest.json`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatNs, formatRate, formatValue, table } from './lib/format.js';
import type { BenchGroup, CaseResult } from './lib/group.js';
import { machineInfo } from './lib/machine.js';
import { measure, resultsOf } from './lib/measure.js';
import { repoRoot } from './lib/paths.js';

interface GoalOutcome {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  readonly met: boolean;
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
    group: { type: 'string' },
    strict: { type: 'boolean', default: false },
  },
});
const quick = values.quick ?? false;
const only = values.group?.split(',').map((g) => g.trim());

async function loadGroups(): Promise<BenchGroup[]> {
  const dir = new URL('./groups/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => /\.[jt]s$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const groups: BenchGroup[] = [];
  for (const file of files) {
    const mod = (await import(new URL(file, dir).href)) as { group?: BenchGroup };
    if (!mod.group) throw new Error(`bench/groups/${file} does not export "group"`);
    if (!only || only.includes(mod.group.name)) groups.push(mod.group);
  }
  return groups;
}

function printGroup(group: BenchGroup, results: readonly CaseResult[], goals: readonly GoalOutcome[]): void {
  console.log(`\n## ${group.name}: ${group.description}`);
  const rows = [['case', 'ops/s', 'mean', 'p50', 'p99', '±rme', 'vs baseline']];
  for (const r of results) {
    rows.push([
      r.name === group.baseline ? `${r.name} (baseline)` : r.name,
      formatRate(r.opsPerSec),
      formatNs(r.meanNs),
      formatNs(r.p50Ns),
      formatNs(r.p99Ns),
      `${r.rme.toFixed(1)} %`,
      `${r.vsBaseline.toFixed(2)}x`,
    ]);
  }
  console.log(table(rows));
  if (goals.length > 0) {
    const goalRows = [['goal', 'measured', 'target', '']];
    for (const g of goals) {
      const target = [
        g.min === undefined ? '' : `>= ${formatValue(g.min, g.unit)}`,
        g.max === undefined ? '' : `<= ${formatValue(g.max, g.unit)}`,
      ]
        .filter(Boolean)
        .join(' and ');
      goalRows.push([g.name, formatValue(g.value, g.unit), target, g.met ? 'met' : 'MISSED']);
    }
    console.log(`\n${table(goalRows)}`);
  }
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(
    `mcp-exec bench${quick ? ' (quick: figures are indicative only)' : ''}\n` +
      `Node ${machine.node}, Python ${machine.python}, ${machine.cpu}, ${machine.cores} cores`,
  );
  const report: Record<string, unknown> = {};
  const claims: { seed: string; ours: string; unit: string; value: number }[] = [];
  let missed = 0;
  for (const group of await loadGroups()) {
    const session = await group.setup({ quick });
    let results: CaseResult[];
    try {
      results = await measure(session.cases, group.baseline, { quick });
    } finally {
      await session.teardown?.();
    }
    const lookup = resultsOf(results);
    const goals = (group.goals ?? []).map((goal): GoalOutcome => {
      const value = goal.measure(lookup);
      const met =
        (goal.min === undefined || value >= goal.min) && (goal.max === undefined || value <= goal.max);
      return { name: goal.name, unit: goal.unit, value, min: goal.min, max: goal.max, met };
    });
    missed += goals.filter((g) => !g.met).length;
    for (const claim of group.claims ?? []) {
      claims.push({ seed: claim.seed, ours: claim.ours, unit: claim.unit, value: claim.measure(lookup) });
    }
    printGroup(group, results, goals);
    report[group.name] = { description: group.description, baseline: group.baseline, results, goals };
  }
  if (claims.length > 0) {
    console.log('\n## The seed claims beside our measurements (same run)');
    const rows = [['seed claim', 'what we measure', 'measured']];
    for (const c of claims) rows.push([c.seed, c.ours, formatValue(c.value, c.unit)]);
    console.log(table(rows));
  }
  const out = pathToFileURL(join(repoRoot, 'bench', 'results/'));
  mkdirSync(out, { recursive: true });
  const file = new URL('latest.json', out);
  const payload = { date: new Date().toISOString(), quick, machine, groups: report, claims };
  writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  console.log(
    `\nAll figures written to bench/results/latest.json${missed ? `; ${missed} goal(s) missed` : ''}.`,
  );
  if (missed > 0 && values.strict) process.exitCode = 1;
}

await main();
