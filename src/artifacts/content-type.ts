/**
 * Content types by file extension for object uploads, enough for what runs usually log (text,
 * tables, images, archives, serialised models). Unknown extensions get
 * `application/octet-stream`. Content-Encoding is never set, so that no HTTP client transparently
 * decompresses an artifact on download.
 */
const TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  xml: 'application/xml',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  py: 'text/x-python',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  tar: 'application/x-tar',
  bz2: 'application/x-bzip2',
  mp4: 'video/mp4',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  parquet: 'application/vnd.apache.parquet',
}

const DEFAULT_TYPE = 'application/octet-stream'

/** The content type for a file name or path, guessed from its extension (case-insensitive). */
export function guessContentType(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  if (dot <= 0) return DEFAULT_TYPE
  return TYPES[base.slice(dot + 1).toLowerCase()] ?? DEFAULT_TYPE
}
