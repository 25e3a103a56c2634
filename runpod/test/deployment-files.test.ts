/**
 * The Dockerfile and the RunPod template cannot be built or deployed on the test machines, so
 * these tests read them and check that they agree with the scripts and the guide.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { APP_DIR, RUNPOD_DIR } from './run-script.js'

interface Template {
  name: string
  imageName: string
  category: string
  containerDiskInGb: number
  volumeInGb: number
  volumeMountPath: string
  ports: string[]
  env: Record<string, string>
  readme: string
}

const dockerfile = readFileSync(join(RUNPOD_DIR, 'Dockerfile'), 'utf8')
const template = JSON.parse(readFileSync(join(RUNPOD_DIR, 'runpod-template.json'), 'utf8')) as Template
const guide = readFileSync(join(RUNPOD_DIR, 'README_RUNPOD.md'), 'utf8')
const scripts = ['common.sh', 'install.sh', 'start.sh', 'cuda-advice.sh']
  .map((name) => readFileSync(join(RUNPOD_DIR, name), 'utf8'))
  .join('\n')

/** Returns the defaults in a script's --help by variable: the last `[...]` of each variable's entry. */
function helpDefaults(script: string): Map<string, string> {
  const help = spawnSync('bash', [join(RUNPOD_DIR, script), '--help'], { encoding: 'utf8' }).stdout
  const defaults = new Map<string, string>()
  let current: { name: string; text: string } | undefined
  const finish = () => {
    const found = current && [...current.text.matchAll(/\[([^\]]*)\]/g)].pop()
    if (current && found) defaults.set(current.name, found[1])
  }
  for (const line of help.split('\n')) {
    const entry = /^ {2}([A-Z][A-Z0-9_]+)(?:=\S+)?\s(.*)$/.exec(line)
    if (entry) {
      finish()
      current = { name: entry[1], text: entry[2] }
    } else if (current && /^ {4,}\S/.test(line)) {
      current.text += ` ${line.trim()}`
    } else {
      finish()
      current = undefined
    }
  }
  finish()
  return defaults
}

/** Returns the default column of the guide's settings table, for rows whose default is code. */
function guideDefault(name: string): string | undefined {
  return new RegExp(`^\\| \`${name}\` \\| \`([^\`]+)\` \\|`, 'm').exec(guide)?.[1]
}

/** Values of the Dockerfile's ENV instructions, continuation lines joined. */
function dockerEnv(): Map<string, string> {
  const values = new Map<string, string>()
  const joined = dockerfile.replace(/\\\n/g, ' ')
  for (const line of joined.split('\n').filter((text) => text.startsWith('ENV '))) {
    for (const match of line.slice(4).matchAll(/([A-Z_]+)=(\S+)/g)) {
      values.set(match[1], match[2])
    }
  }
  return values
}

describe('Dockerfile', () => {
  const env = dockerEnv()

  it('installs the CUDA 12 provider', () => {
    expect(dockerfile).toMatch(/^ENV ONNXRUNTIME_NODE_INSTALL=cuda12$/m)
    expect(dockerfile).toContain('libonnxruntime_providers_cuda.so')
    expect(dockerfile).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu\d+\.\d+$/m)
  })

  it('copies files that exist', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1].split(' '))
    expect(sources).toContain('package.json')
    for (const source of sources.filter((name) => name !== '.')) {
      expect(existsSync(join(APP_DIR, source)), source).toBe(true)
    }
  })

  it('copies only from its own stages', () => {
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1])
    const sources = [...dockerfile.matchAll(/^COPY --from=(\S+) /gm)].map((match) => match[1])
    expect(stages).toEqual(['app'])
    expect(new Set(sources)).toEqual(new Set(['app']))
  })

  it('runs start.sh under tini', () => {
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m)
    expect(dockerfile).toMatch(/^CMD \["bash", "\/opt\/partfield-bridge\/runpod\/start\.sh"\]$/m)
    expect(env.get('PARTFIELD_APP_DIR')).toBe('/opt/partfield-bridge')
    expect(existsSync(join(RUNPOD_DIR, 'start.sh'))).toBe(true)
  })

  it('installs what the scripts call', () => {
    const packages = /apt-get install -y --no-install-recommends([^&]+)&&/.exec(dockerfile.replace(/\\\n/g, ' '))?.[1]
    expect(packages?.split(/\s+/).filter(Boolean)).toEqual(
      expect.arrayContaining(['curl', 'python3', 'python3-venv', 'tini', 'openssh-server', 'ca-certificates']),
    )
  })

  it('exposes the port the daemon binds', () => {
    expect(dockerfile).toMatch(/^EXPOSE 7860$/m)
    expect(env.get('GRADIO_SERVER_PORT')).toBe('7860')
    expect(env.get('GRADIO_SERVER_NAME')).toBe('0.0.0.0')
    expect(env.get('PARTFIELD_ROOT')).toBe('/workspace')
  })
})

describe('runpod-template.json', () => {
  it('matches the image', () => {
    expect(template.category).toBe('NVIDIA')
    expect(template.ports).toContain('7860/http')
    expect(template.volumeMountPath).toBe('/workspace')
    expect(template.env.PARTFIELD_ROOT).toBe(template.volumeMountPath)
    expect(template.env.GRADIO_SERVER_PORT).toBe('7860')
    expect(template.imageName).toMatch(/\/partfield-bridge:\d+\.\d+\.\d+$/)
    expect(template.volumeInGb).toBeGreaterThanOrEqual(10)
  })

  it('names the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as { version: string }
    expect(template.imageName.endsWith(`:${version}`)).toBe(true)
  })

  it('sets only documented variables', () => {
    for (const name of Object.keys(template.env)) {
      expect(guide, name).toContain(`\`${name}\``)
    }
  })
})

describe('README_RUNPOD.md', () => {
  it('documents every script setting', () => {
    const names = new Set([...scripts.matchAll(/\b(PARTFIELD_[A-Z0-9_]+)\b/g)].map((match) => match[1]))
    expect(names.size).toBeGreaterThan(20)
    for (const name of names) {
      expect(guide, name).toContain(`\`${name}\``)
    }
  })

  it('gives the defaults --help gives', () => {
    const defaults = new Map([...helpDefaults('install.sh'), ...helpDefaults('start.sh')])
    const names = ['PARTFIELD_EXPORT_CMD', 'PARTFIELD_ROOT', 'PARTFIELD_NVIDIA_SMI', 'PARTFIELD_MIN_MODEL_BYTES',
      'PARTFIELD_DOWNLOAD_ATTEMPTS', 'PARTFIELD_TORCH_SPEC', 'PARTFIELD_DEVICE']
    for (const name of names) {
      expect(defaults.get(name), name).toBeDefined()
      expect(guideDefault(name), name).toBe(defaults.get(name))
    }
  })

  it('has the sections the deployment needs', () => {
    const headings = [...guide.matchAll(/^#{2,3} (.+)$/gm)].map((match) => match[1])
    expect(headings).toEqual(
      expect.arrayContaining([
        '1. Build and push the image',
        '3. Deploy a pod',
        '4. Use it',
        'Storage and cost',
        'GPU choices',
        'Troubleshooting',
        'No GPU',
        'GPU out of memory',
        'Server not starting',
        'Download failures',
      ]),
    )
  })

  it('links to sections that exist', () => {
    const anchors = new Set(
      [...guide.matchAll(/^#{1,3} (.+)$/gm)].map((match) =>
        match[1].toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'),
      ),
    )
    for (const match of guide.matchAll(/\]\(#([^)]+)\)/g)) {
      expect(anchors, match[1]).toContain(match[1])
    }
  })
})
