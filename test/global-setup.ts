/** Compile the CLI once for the whole run: several test files spawn it as a child process. */
import { compileCli } from './cli/harness.js';

export default function setup(): void {
  compileCli();
}
