/** What a failed export tells the person: the file system's reason, or the source's own error. */
import { AppError } from '../errors';
import { describeFsError, ExportWriteError } from './export-file';

export function mapExportWriteError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ExportWriteError) {
    return new AppError(
      'EXPORT_FAILED',
      `The export could not be written: ${describeFsError(error.fsCode)}. Choose another folder or try again.`,
    );
  }
  return new AppError('EXPORT_FAILED', 'The export could not read this dataset. Try again; if it keeps failing, tell IT.');
}
