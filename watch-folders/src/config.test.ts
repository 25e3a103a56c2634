import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { loadConfig } from './config.js'

async function configFile(value: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'partfield-config-')), 'watch.json')
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

describe('loadConfig', () => {
  it('watches a folder in-process with defaults', async () => {
    const config = await loadConfig(['drop'], {})
    expect(config.daemon).toBeUndefined()
    expect(config.concurrency).toBe(1)
    expect(config.folders).toEqual([{
      path: resolve('drop'),
      params: {},
      formats: ['glb', 'ply', 'labels', 'pca'],
      timing: { stableMs: 2000, companionTimeoutMs: 60_000, rescanMs: 30_000, orphanMs: 600_000, usePolling: false },
      create: false,
    }])
  })

  it('creates folders only with --create or "create"', async () => {
    expect((await loadConfig(['a', '--create'], {})).folders[0].create).toBe(true)
    const path = await configFile({ create: true, folders: ['a', { path: 'b', create: false }] })
    expect((await loadConfig(['--config', path], {})).folders.map((folder) => folder.create)).toEqual([true, false])
  })

  it('reads the daemon, its token from the environment and command-line settings', async () => {
    const config = await loadConfig(
      ['a', 'b', '--daemon', 'http://127.0.0.1:7860/', '--concurrency', '3', '--stable-seconds', '0.5', '--poll', '--param', 'n_clusters=8',
        '--orphan-seconds', '90'],
      { PARTFIELD_TOKEN: 'secret' },
    )
    expect(config.daemon).toEqual({ url: 'http://127.0.0.1:7860', token: 'secret' })
    expect(config.concurrency).toBe(3)
    expect(config.folders.map((folder) => folder.path)).toEqual([resolve('a'), resolve('b')])
    expect(config.folders[1].params).toEqual({ n_clusters: '8' })
    expect(config.folders[1].timing).toMatchObject({ stableMs: 500, orphanMs: 90_000, usePolling: true })
  })

  it('reads folders with their own settings from a config file', async () => {
    const path = await configFile({
      daemon: 'https://pod.example/',
      token: 'from-file',
      params: { max_clusters: 12 },
      stableSeconds: 5,
      folders: ['plain', { path: '/abs/chairs', params: { n_clusters: 4 }, formats: ['glb', 'labels'], poll: true }],
    })
    const config = await loadConfig(['--config', path, '--stable-seconds', '3'], { PARTFIELD_TOKEN: 'from-env' })
    expect(config.daemon).toEqual({ url: 'https://pod.example', token: 'from-file' })
    const [plain, chairs] = config.folders
    expect(plain.path).toBe(join(path, '..', 'plain'))
    expect(plain.params).toEqual({ max_clusters: 12 })
    expect(plain.timing.stableMs).toBe(3000)
    expect(chairs.path).toBe('/abs/chairs')
    expect(chairs.params).toEqual({ max_clusters: 12, n_clusters: 4 })
    expect(chairs.formats).toEqual(['glb', 'labels'])
    expect(chairs.timing.usePolling).toBe(true)
  })

  const rejected: [string, () => Promise<unknown>, RegExp][] = [
    ['no folder', () => loadConfig([], {}), /no folder to watch/],
    ['an unknown option', () => loadConfig(['a', '--colour'], {}), /Unknown option '--colour'/],
    ['a bad parameter', () => loadConfig(['a', '--param', 'n_clusters=0'], {}), /invalid n_clusters: "0"; expected an integer from 1 to 256/],
    ['a parameter without value', () => loadConfig(['a', '--param', 'n_clusters'], {}), /expected NAME=VALUE/],
    ['a bad concurrency', () => loadConfig(['a', '--concurrency', '0'], {}), /^invalid --concurrency: "0"; expected an integer/],
    ['a bad URL', () => loadConfig(['a', '--daemon', 'ftp://x'], {}), /expected an http:\/\/ or https:\/\/ URL/],
    ['a folder listed twice', () => loadConfig(['a', './a'], {}), /listed twice/],
    ['a bad log level', () => loadConfig(['a', '--log-level', 'loud'], {}), /^invalid --log-level: "loud"/],
    ['a bad LOG_LEVEL', () => loadConfig(['a'], { LOG_LEVEL: 'loud' }), /^invalid LOG_LEVEL: "loud"/],
    ['text for --stable-seconds', () => loadConfig(['a', '--stable-seconds', 'abc'], {}),
      /^invalid --stable-seconds: "abc"; expected seconds from 0.05 to 3600$/],
    ['a bad --companion-timeout', () => loadConfig(['a', '--companion-timeout', 'soon'], {}), /^invalid --companion-timeout: "soon"/],
    ['a bad --rescan-seconds', () => loadConfig(['a', '--rescan-seconds', 'x'], {}), /^invalid --rescan-seconds: "x"/],
    ['a bad --orphan-seconds', () => loadConfig(['a', '--orphan-seconds', '0'], {}), /^invalid --orphan-seconds: "0"/],
    ['a bad --max-faces', () => loadConfig(['a', '--max-faces', '1.5'], {}), /^invalid --max-faces: "1.5"/],
  ]
  for (const [what, load, message] of rejected) {
    it(`rejects ${what}`, async () => {
      await expect(load()).rejects.toThrow(message)
    })
  }

  it('rejects config files with unknown keys, bad JSON or bad folder settings', async () => {
    await expect(loadConfig(['--config', await configFile({ folder: ['a'] })], {})).rejects.toThrow(/unknown key "folder"/)
    await expect(loadConfig(['--config', await configFile('{"folders": [')], {})).rejects.toThrow(/cannot read the config file/)
    await expect(loadConfig(['--config', await configFile({ folders: [{ path: 'a', formats: ['fbx'] }] })], {}))
      .rejects.toThrow(/invalid formats: \["fbx"\]/)
    await expect(loadConfig(['--config', await configFile({ folders: [{ path: 'a', stableSeconds: -1 }] })], {}))
      .rejects.toThrow(/^folder "a" in .*watch\.json: invalid stableSeconds: -1; expected seconds from 0.05/)
    await expect(loadConfig(['--config', await configFile({ rescanSeconds: 'often', folders: ['a'] })], {}))
      .rejects.toThrow(/^\/.*watch\.json: invalid rescanSeconds: "often"; expected seconds/)
    await expect(loadConfig(['--config', await configFile({ concurrency: 0, folders: ['a'] })], {}))
      .rejects.toThrow(/^\/.*watch\.json: invalid concurrency: 0; expected an integer/)
    await expect(loadConfig(['--config', await configFile({ folders: [{ path: 'a', params: { method: 'magic' } }] })], {}))
      .rejects.toThrow(/invalid method: "magic"/)
    await expect(loadConfig(['--config', await configFile({ folders: [{ params: {} }] })], {}))
      .rejects.toThrow(/expected a path string/)
  })
})
