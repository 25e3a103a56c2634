import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

import { NodeIO } from '@gltf-transform/core'
import { describe, expect, it } from 'vitest'

import { parseCliArgs } from './args.js'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../../..')
const SAMPLE = join(ROOT, 'daemon/samples/figure.obj')
const TSX = join(ROOT, 'node_modules/.bin/tsx')
const MAIN = join(ROOT, 'daemon/src/cli/main.ts')

interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI as a user would, from `cwd`, and never throws on a non-zero exit. */
async function cli(args: string[], cwd: string): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(TSX, [MAIN, ...args], { cwd, env: { ...process.env, INIT_CWD: cwd } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('segment CLI', () => {
  it('segments the sample into a numbered folder', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-'))
    const first = await cli([SAMPLE, '--parts', '6', '-q'], cwd)
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(`results in ${join(cwd, 'out/figure')}`)
    expect(first.stderr).toMatch(/5866 faces, 6 parts, geometric backend on cpu/)
    expect(first.stderr).toMatch(/timings: load \d+ ms, prepare \d+ ms, features \d+ ms/)

    const document = await new NodeIO().read(join(cwd, 'out/figure/figure.parts.glb'))
    const names = document.getRoot().listNodes().map((node) => node.getName())
    expect(names).toEqual(['part_00', 'part_01', 'part_02', 'part_03', 'part_04', 'part_05'])

    const labels = JSON.parse(readFileSync(join(cwd, 'out/figure/figure.labels.json'), 'utf8'))
    expect(labels.labels).toHaveLength(5866)
    expect(new Set(labels.labels).size).toBe(6)
    expect(labels.source.name).toBe('figure.obj')

    const second = await cli([SAMPLE, '--parts', '3', '-q', '--formats', 'labels'], cwd)
    expect(second.code).toBe(0)
    expect(readdirSync(join(cwd, 'out')).sort()).toEqual(['figure', 'figure-2'])
    const firstAgain = JSON.parse(readFileSync(join(cwd, 'out/figure/figure.labels.json'), 'utf8'))
    expect(firstAgain.partCount).toBe(6)
  })

  it('rejects an --out folder holding earlier results', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-'))
    writeFileSync(join(cwd, 'figure.labels.json'), '{"mine": true}')
    const result = await cli([SAMPLE, '--out', '.', '--formats', 'labels'], cwd)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('already holds figure.labels.json')
    expect(readFileSync(join(cwd, 'figure.labels.json'), 'utf8')).toBe('{"mine": true}')
  })

  it('keeps a user file even with --overwrite', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-'))
    writeFileSync(join(cwd, 'figure.labels.json'), '{"mine": true}')
    const result = await cli([SAMPLE, '--out', '.', '--formats', 'labels', '--overwrite', '-q'], cwd)
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(readFileSync(join(cwd, 'figure.labels.json'), 'utf8')).toBe('{"mine": true}')
  })

  it('reports a malformed mesh in one line', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-'))
    writeFileSync(join(cwd, 'broken.off'), 'OFF\n4 1 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 1 7\n')
    const result = await cli(['broken.off', '-q'], cwd)
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^error: .*broken\.off: .*7/)
    expect(readdirSync(cwd)).toEqual(['broken.off'])
  })

  it('reports a missing file', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-'))
    const result = await cli(['nothing.obj'], cwd)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('nothing.obj: the file does not exist')
  })
})

describe('parseCliArgs', () => {
  it('resolves paths against the given folder', () => {
    const options = parseCliArgs(['mesh.obj', '--out', 'results'], '/home/artist')
    expect(options.file).toBe('/home/artist/mesh.obj')
    expect(options.out).toBe('/home/artist/results')
  })

  it('maps flags to parameters', () => {
    const options = parseCliArgs(['m.obj', '--parts', '7', '--method', 'kmeans', '--no-preprocess', '--knn', '3'])
    expect(options.params.n_clusters).toBe(7)
    expect(options.params.method).toBe('kmeans')
    expect(options.params.preprocess).toBe(false)
    expect(options.params.knn).toBe(3)
  })

  it('names the flag in range errors', () => {
    expect(() => parseCliArgs(['m.obj', '--parts', '0'])).toThrow('invalid --parts: "0"; expected an integer from 1 to 256')
    expect(() => parseCliArgs(['m.obj', '--seed', '-1'])).toThrow('invalid --seed: "-1"')
    expect(() => parseCliArgs(['m.obj', '--pca', 'x'])).toThrow('invalid --pca')
  })

  it('rejects bad usage', () => {
    expect(() => parseCliArgs([])).toThrow('missing mesh file')
    expect(() => parseCliArgs(['a.obj', 'b.obj'])).toThrow('expected one mesh file, got 2')
    expect(() => parseCliArgs(['a.obj', '--formats', 'fbx'])).toThrow('invalid format "fbx"')
    expect(() => parseCliArgs(['a.obj', '--colour', 'red'])).toThrow(/colour/)
  })
})
