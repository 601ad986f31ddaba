// Module hooks for a plain `node` child process: run trackstore's TypeScript sources by
// transpiling each file (no type check), and append every resolved module URL to the file named
// by TRACKSTORE_RESOLVED_LOG, so that a test can see which packages an import loaded.
/* global process, URL */
import { appendFileSync, existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const log = process.env.TRACKSTORE_RESOLVED_LOG

export async function resolve(specifier, context, nextResolve) {
  let result
  const parent = context.parentURL ?? ''
  if (specifier.startsWith('.') && specifier.endsWith('.js') && parent.endsWith('.ts')) {
    const url = new URL(specifier.replace(/\.js$/, '.ts'), parent)
    if (existsSync(fileURLToPath(url))) result = { url: url.href, shortCircuit: true }
  }
  result ??= await nextResolve(specifier, context)
  if (log !== undefined) appendFileSync(log, `${result.url}\n`)
  return result
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context)
  const source = await readFile(fileURLToPath(url), 'utf8')
  const output = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  })
  return { format: 'module', source: output.outputText, shortCircuit: true }
}
