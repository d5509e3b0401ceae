import { SettingsError } from '../../src/config.js';

/** The SettingsError that `fn` throws (any other outcome fails the test). */
export function settingsError(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SettingsError) return err;
    throw err;
  }
  throw new Error('no SettingsError');
}
