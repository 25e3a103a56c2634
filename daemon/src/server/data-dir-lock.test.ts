import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterEach, describe, expect, it } from 'vitest'

import { DataDirLockedError, LOCK_FILE, lockDataDir, type DataDirLock } from './data-dir-lock.js'
import { startDaemon, type TestDaemon } from './test-daemon.js'

const held: DataDirLock[] = []
afterEach(() => {
  for (const lock of held.splice(0)) lock.release()
})

async function newDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'partfield-lock-'))
}

async function lock(dir: string): Promise<DataDirLock> {
  const taken = await lockDataDir(dir)
  held.push(taken)
  return taken
}

/** Pid of a process that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!
}

describe('lockDataDir', () => {
  it('writes pid and host and removes the file on release', async () => {
    const dir = await newDir()
    const taken = await lock(dir)
    const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string }
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() })
    expect(taken.takenOverFrom).toBeUndefined()
    taken.release()
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })

  it('refuses a folder a live process holds', async () => {
    const dir = await newDir()
    await lock(dir)
    const error = await lockDataDir(dir).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(DataDirLockedError)
    expect((error as Error).message).toMatch(new RegExp(`in use by another partfield-bridge daemon \\(process ${process.pid}, started `))
    expect((error as Error).message).toContain('another --data-dir')
  })

  it('takes over the lock of a dead process on this host', async () => {
    const dir = await newDir()
    const pid = deadPid()
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: '2025-01-01T00:00:00.000Z' }))
    const taken = await lock(dir)
    expect(taken.takenOverFrom).toMatchObject({ pid, host: hostname() })
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid)
  })

  it('refuses a lock of another host, whose processes it cannot check', async () => {
    const dir = await newDir()
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'other-machine', startedAt: 'x' }))
    await expect(lockDataDir(dir)).rejects.toThrow(/on host other-machine/)
  })

  it('refuses a lock file it did not write', async () => {
    const dir = await newDir()
    await writeFile(join(dir, LOCK_FILE), 'hello')
    await expect(lockDataDir(dir)).rejects.toThrow(/is not one this program writes \("hello"\)/)
  })

  it('leaves a lock alone that another process owns', async () => {
    const dir = await newDir()
    const taken = await lock(dir)
    const text = await readFile(taken.path, 'utf8')
    await writeFile(taken.path, text.replace(`"pid":${process.pid}`, '"pid":1'))
    taken.release()
    expect(existsSync(taken.path)).toBe(true)
  })
})

describe('daemon data folder', () => {
  const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url))
  let daemon: TestDaemon | undefined
  afterEach(async () => {
    await daemon?.stop()
    daemon = undefined
  })

  it('prints its URL, refuses a second daemon and frees the folder on stop', async () => {
    daemon = await startDaemon({ args: ['--no-warm-up'] })
    await expect.poll(() => daemon!.stderr.join('')).toContain(
      `partfield-bridge listening on http://127.0.0.1:${daemon.port}/ (web page and /v1 API)\n`)

    const second = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--data-dir', daemon.dataDir, '--no-warm-up'], {
      env: { ...process.env, PARTFIELD_TOKEN: '', PARTFIELD_MODEL: join(daemon.dataDir, 'no-model.onnx') },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    second.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve))
    expect(code).toBe(1)
    expect(stderr).toMatch(new RegExp(`^error: the data folder .* is in use by another partfield-bridge daemon \\(process ${daemon.child.pid},`))
    expect(stderr).not.toMatch(/at .*\.ts:\d+/)

    await daemon.stop()
    expect(existsSync(join(daemon.dataDir, LOCK_FILE))).toBe(false)
  })
})
