import { TrackstoreError } from '../core/errors.js'

/**
 * Loads an optional SDK with a dynamic `import()`, so that importing trackstore never loads it.
 * A missing package becomes an INVALID_STATE error that says what to install.
 */
export async function loadSdk<T>(
  packageName: string,
  backend: string,
  load: () => Promise<T>,
  installHint: string = packageName,
): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new TrackstoreError(
        'INVALID_STATE',
        `The ${backend} artifact store needs the optional package '${packageName}', which is not ` +
          `installed. Install it with: npm install ${installHint}`,
        { cause: error },
      )
    }
    throw error
  }
}
