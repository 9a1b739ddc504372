// `dosageflow simulate`: write a synthetic, deterministic cohort (genotypes with LD and imputation
// uncertainty, .sample, phenotypes, covariates, planted causal variants). See src/sim/simulate.ts.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { SimFormat } from '../sim/simulate.js';
import { PREFIX_HELP } from './options.js';

export type { SimulateOptions, SimulateConfig, SimulateResult, SimulateFiles } from '../sim/simulate.js';

interface SimulateArgs {
  samples: number;
  variants: number;
  chromosomes: string;
  format: string;
  compress?: string;
  bits?: number;
  seed: number;
  effects: number;
  missing?: number;
  out: string;
}

export const simulateCommand: CommandModule<object, SimulateArgs> = {
  command: 'simulate',
  describe: 'write a synthetic cohort (genotypes, .sample, phenotypes, covariates, truth)',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 simulate --samples N --variants M --out PREFIX [options]\n\n' +
          'Writes PREFIX.gen[.gz|.zst] or PREFIX.bgen, PREFIX.sample, PREFIX.pheno.tsv\n' +
          '(response, dissociation), PREFIX.covar.tsv (age, sex, PC1-PC10) and PREFIX.truth.tsv\n' +
          '(planted causal variants). Variants come in LD blocks copied from a few founder\n' +
          'haplotypes, with a log-uniform MAF spectrum down to 0.005 and imputation blur giving\n' +
          'MACH R2 between ~0.3 and 1. The output is identical for the same options and --seed.',
      )
      .option('samples', { alias: 'n', type: 'number', describe: 'number of samples', demandOption: true })
      .option('variants', { alias: 'm', type: 'number', describe: 'number of variants', demandOption: true })
      .option('chromosomes', { type: 'string', default: '1-22', describe: 'autosomes to spread the variants over, e.g. 1-22, 22, 1,3,5-7' })
      .option('format', { type: 'string', choices: ['gen', 'bgen'], default: 'gen', describe: 'genotype file format' })
      .option('compress', {
        type: 'string',
        describe: 'gen: none (default), gz or zst for the whole file; bgen: zlib (default), zstd or none per variant',
      })
      .option('bits', { type: 'number', describe: 'BGEN bits per probability, 1-32 (default 8)' })
      .option('seed', { type: 'number', default: 1, describe: 'random seed (non-negative integer)' })
      .option('effects', { type: 'number', default: 3, describe: 'planted causal variants per phenotype' })
      .option('missing', { type: 'number', describe: 'fraction of genotypes written as missing (default 0.001)' })
      .option('out', { alias: 'o', type: 'string', describe: `output prefix${PREFIX_HELP}`, demandOption: true })
      .example('$0 simulate --samples 157 --variants 100000 --seed 7 --out cohort', 'IMPUTE2 .gen, 22 autosomes')
      .example('$0 simulate -n 157 -m 20000 --chromosomes 22 --format gen --compress zst --out c22', 'one chromosome, zstd-compressed .gen')
      .example('$0 simulate -n 1000 -m 50000 --format bgen --bits 16 --compress zstd --out big', 'BGEN v1.2, 16-bit, zstd blocks') as unknown as Argv<SimulateArgs>,
  handler: async (argv: ArgumentsCamelCase<SimulateArgs>) => {
    // Loaded on demand: the simulator's eight modules are not needed to start any other command.
    const { resolveSimulateConfig, simulate, summaryLine } = await import('../sim/simulate.js');
    const cfg = resolveSimulateConfig({
      samples: argv.samples,
      variants: argv.variants,
      out: argv.out,
      chromosomes: argv.chromosomes,
      format: argv.format as SimFormat,
      compress: argv.compress,
      bits: argv.bits,
      seed: argv.seed,
      effects: argv.effects,
      missingRate: argv.missing,
    });
    // As assoc and prs: the output directory is created (`--out DIR/` writes DIR/dosageflow.*).
    const { checkOutputDir } = await import('../io/run-dir.js');
    checkOutputDir(cfg.out, { create: true });
    const result = await simulate(cfg);
    process.stderr.write(`dosageflow ${summaryLine(result)}\n`);
  },
};
