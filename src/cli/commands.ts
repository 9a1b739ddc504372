// The list of subcommands. Each lives in src/commands/<name>.ts and exports a yargs CommandModule.
import { assocCommand } from '../commands/assoc.js';
import { exampleCommand } from '../commands/example.js';
import { simulateCommand } from '../commands/simulate.js';
import { reportCommand } from '../commands/report.js';
import { mergeCommand } from '../commands/merge.js';
import { prsCommand } from '../commands/prs.js';
import { benchCommand } from '../commands/bench.js';

// Each module's argv type differs; the list only needs what main.ts reads (command) and passes on.
export const commands = [assocCommand, exampleCommand, simulateCommand, reportCommand, mergeCommand, prsCommand, benchCommand];
