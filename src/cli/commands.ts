// The list of subcommands. Each lives in src/commands/<name>.ts and exports a yargs CommandModule.
import type { CommandModule } from 'yargs';
import { assocCommand } from '../commands/assoc.js';
import { exampleCommand } from '../commands/example.js';
import { simulateCommand } from '../commands/simulate.js';
import { reportCommand } from '../commands/report.js';
import { mergeCommand } from '../commands/merge.js';
import { prsCommand } from '../commands/prs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [assocCommand, exampleCommand, simulateCommand, reportCommand, mergeCommand, prsCommand];
