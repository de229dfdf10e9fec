import { describe, expect, it } from 'vitest'
import { createCollector } from './results'
import { renderTable } from './table'

describe('renderTable', () => {
  it('prints median [min–max] and the ratio to the baseline of the same case', () => {
    const runs = createCollector()
    for (const [lifeline, raw] of [
      [90, 100],
      [95, 100],
      [80, 100],
    ] as const) {
      runs.add('small', 'raw', { rate: raw, cpu: 1 })
      runs.add('small', 'lifeline', { rate: lifeline, cpu: 1.1 })
    }
    const table = renderTable({
      id: 'demo',
      title: 'Demo',
      metrics: [
        { key: 'rate', label: 'events/s', digits: 0, compare: true },
        { key: 'cpu', label: 'CPU s', digits: 1, compare: false },
      ],
      rows: runs.rows(() => 'raw'),
      notes: [],
    })
    expect(table.split('\n')).toEqual([
      '| case | variant | events/s median [min–max] | × baseline | CPU s median [min–max] |',
      '| --- | --- | --- | --- | --- |',
      '| small | raw (baseline) | 100 [100–100] | 1.00× | 1.0 [1.0–1.0] |',
      '| small | lifeline | 90 [80–95] | 0.90× | 1.1 [1.1–1.1] |',
    ])
  })

  it('groups rows by case even when the runs came variant by variant', () => {
    const runs = createCollector()
    runs.add('small', 'raw', { rate: 1 })
    runs.add('large', 'raw', { rate: 2 })
    runs.add('small', 'lifeline', { rate: 3 })
    runs.add('large', 'lifeline', { rate: 4 })
    const order = runs.rows(() => 'raw').map((row) => `${row.group} ${row.variant}`)
    expect(order).toEqual(['small raw', 'small lifeline', 'large raw', 'large lifeline'])
  })

  it('prints a dash where a variant lacks a metric or its case lacks a baseline', () => {
    const runs = createCollector()
    runs.add('cut', 'lifeline', { ms: 120 })
    const table = renderTable({
      id: 'demo',
      title: 'Demo',
      metrics: [
        { key: 'ms', label: 'ms', digits: 0, compare: true },
        { key: 'floor', label: 'floor ms', digits: 0, compare: false },
      ],
      rows: runs.rows(() => undefined),
      notes: [],
    })
    expect(table.split('\n')[2]).toBe('| cut | lifeline | 120 [120–120] | – | – |')
  })
})
