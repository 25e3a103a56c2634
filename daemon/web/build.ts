/**
 * Builds the web page into a folder the daemon serves at `/`: the TypeScript bundled with
 * three.js from node_modules (no CDN, so the page works on a pod without internet access), the
 * style sheet, and index.html pointing at both. Script and style names carry a content hash,
 * because the daemon lets browsers cache everything except index.html for an hour.
 *
 * `npm run build:web` writes daemon/web/dist; `tsx daemon/web/build.ts DIR` writes DIR.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const WEB_DIR = fileURLToPath(new URL('.', import.meta.url))
export const DEFAULT_OUT_DIR = join(WEB_DIR, 'dist')

export interface BuiltPage {
  outDir: string
  /** File names written, relative to outDir. */
  files: string[]
  /** Bytes of the script bundle. */
  scriptBytes: number
}

export async function buildWebPage(outDir = DEFAULT_OUT_DIR): Promise<BuiltPage> {
  // Imported here so that the daemon's production install, which lacks esbuild, can still
  // import this module's constants; only building needs it.
  const esbuild = await import('esbuild')
  await mkdir(outDir, { recursive: true })
  await removeEarlierBuild(outDir)
  const draco = await copyDracoDecoder(outDir)

  const result = await esbuild.build({
    entryPoints: { app: join(WEB_DIR, 'src/main.ts'), style: join(WEB_DIR, 'styles.css') },
    outdir: outDir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
    define: { DRACO_DECODER_PATH: JSON.stringify(`${draco.folder}/`) },
  })

  const outputs = Object.entries(result.metafile.outputs).map(([path, output]) => ({ path: resolve(path), bytes: output.bytes }))
  const script = outputs.find((output) => /app-[^/]*\.js$/.test(output.path))
  const style = outputs.find((output) => /style-[^/]*\.css$/.test(output.path))
  if (!script || !style) throw new Error(`esbuild wrote no app script or style sheet in ${outDir}`)

  const template = await readFile(join(WEB_DIR, 'index.html'), 'utf8')
  const html = template.replace('%STYLE%', basename(style.path)).replace('%SCRIPT%', basename(script.path))
  await writeFile(join(outDir, 'index.html'), html)
  const files = [...outputs.map((output) => basename(output.path)), ...draco.files, 'index.html']
  return { outDir, files, scriptBytes: script.bytes }
}

/**
 * Three.js's Draco decoder for glTF (WebAssembly build), which the original view needs for
 * Draco-compressed files. It is loaded at run time, not bundled, so it is copied beside the page,
 * with the README that names its licence (Apache 2.0).
 */
const DRACO_FILES = ['draco_wasm_wrapper.js', 'draco_decoder.wasm', 'README.md']

/**
 * Copies the Draco decoder into a folder named after a hash of its files, because the daemon
 * lets browsers cache everything but index.html for an hour and a newer three.js may need a
 * newer decoder.
 */
async function copyDracoDecoder(outDir: string): Promise<{ folder: string; files: string[] }> {
  const require = createRequire(import.meta.url)
  const sourceDir = dirname(require.resolve('three/examples/jsm/libs/draco/gltf/draco_decoder.wasm'))
  const source = (name: string) => (name === 'README.md' ? join(sourceDir, '..', name) : join(sourceDir, name))
  const hash = createHash('sha256')
  for (const name of DRACO_FILES) hash.update(await readFile(source(name)))
  const folder = `draco-${hash.digest('hex').slice(0, 10)}`

  await mkdir(join(outDir, folder))
  for (const name of DRACO_FILES) await copyFile(source(name), join(outDir, folder, name))
  return { folder, files: DRACO_FILES.map((name) => `${folder}/${name}`) }
}

/** Names this build writes: index.html, hashed scripts and styles with their maps and licences, and the decoder folder. */
const BUILD_OUTPUT = /^(index\.html|(app|style)-[A-Z0-9]+\.(js|css)(\.map|\.LEGAL\.txt)?|draco-[0-9a-f]+)$/

/** Deletes an earlier build's files, and only those, so a folder given by mistake loses nothing else. */
async function removeEarlierBuild(outDir: string): Promise<void> {
  for (const name of await readdir(outDir)) {
    if (BUILD_OUTPUT.test(name)) await rm(join(outDir, name), { recursive: true })
  }
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? DEFAULT_OUT_DIR)
  const start = performance.now()
  let built: BuiltPage
  try {
    built = await buildWebPage(outDir)
  } catch (error) {
    // `npm start` runs this first. An install without development packages has no esbuild, and
    // the daemon must still start there, serving the page built earlier or a placeholder.
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
    if (missing && process.env.npm_lifecycle_event === 'prestart') {
      const page = existsSync(join(outDir, 'index.html')) ? `the page already in ${outDir}` : 'a placeholder page'
      process.stderr.write(`warning: esbuild is not installed, so the web page was not rebuilt; the daemon serves ${page}\n`)
      return
    }
    throw error
  }
  const ms = Math.round(performance.now() - start)
  const kb = Math.round(built.scriptBytes / 1024)
  process.stdout.write(`web page built in ${outDir}: ${built.files.length} files, script ${kb} KB, ${ms} ms\n`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`error: cannot build the web page: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  })
}
