/**
 * Builds the web page into a folder the daemon serves at `/`: the TypeScript bundled with
 * three.js from node_modules (no CDN, so the page works on a pod without internet access), the
 * style sheet, and index.html pointing at both. Script and style names carry a content hash,
 * because the daemon lets browsers cache everything except index.html for an hour.
 *
 * `npm run build:web` writes daemon/web/dist; `tsx daemon/web/build.ts DIR` writes DIR.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
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
  await rm(outDir, { recursive: true, force: true })
  await mkdir(outDir, { recursive: true })

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
  })

  const outputs = Object.keys(result.metafile.outputs).map((path) => resolve(path))
  const script = outputs.find((path) => /app-[^/]*\.js$/.test(path))
  const style = outputs.find((path) => /style-[^/]*\.css$/.test(path))
  if (!script || !style) throw new Error(`esbuild wrote no app script or style sheet in ${outDir}`)

  const template = await readFile(join(WEB_DIR, 'index.html'), 'utf8')
  const html = template
    .replace('%STYLE%', basename(style))
    .replace('%SCRIPT%', basename(script))
  await writeFile(join(outDir, 'index.html'), html)

  const scriptBytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((path) => resolve(path) === script)!].bytes
  return { outDir, files: [...outputs.map((path) => basename(path)), 'index.html'], scriptBytes }
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? DEFAULT_OUT_DIR)
  const start = performance.now()
  const built = await buildWebPage(outDir)
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
