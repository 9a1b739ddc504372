// Whether every variant of a run's input files is on chrX or chrY, where the inputs say so before
// they are read. plink2 --glm then makes chrX's model (sex a covariate) its main one and prints
// MACH_R2 on chrX (plink2_glm.cc: "if only chrX and chrY present ... just make chrX the baseline
// instead"); with any other chromosome in the run it prints NA there. A chrX-only file is how
// imputation servers hand chrX out, so this decides INFO on chrX for the commonest chrX run.
// Known from: --chr (.gen files), a bgenix .bgi beside each BGEN, a .tbi/.csi beside each VCF (the
// sequences with records). Any input without: false (NA, plink2's rule for a whole genome). The
// whole files decide, not --region or --shard, so a region's rows stay the whole-file run's.
import * as fs from 'node:fs';
import { normChr } from '../formats/chrom.js';
import { openBgiDatabase } from '../formats/bgen/index.js';
import { openTabixIndex, vcfIndexFor } from './vcf-source.js';

const isXY = (raw: string) => {
  const c = normChr(raw);
  return c === 'X' || c === 'Y';
};

export async function inputsAreXYOnly(inputs: { gen: string[]; bgen: string[]; vcf?: string[]; chr?: string }): Promise<boolean> {
  const vcf = inputs.vcf ?? [];
  if (inputs.gen.length + inputs.bgen.length + vcf.length === 0) return false;
  if (inputs.gen.length && !(inputs.chr !== undefined && isXY(inputs.chr))) return false;
  try {
    for (const f of inputs.bgen) if (!bgiIsXYOnly(f)) return false;
    for (const f of vcf) if (!(await tabixIsXYOnly(f))) return false;
  } catch {
    return false; // an index that cannot be read decides nothing (a --region read reports it)
  }
  return true;
}

function bgiIsXYOnly(file: string): boolean {
  if (!fs.existsSync(`${file}.bgi`)) return false;
  const db = openBgiDatabase(`${file}.bgi`);
  try {
    // Row by row, stopping at the first other chromosome: a whole genome's .bgi (millions of rows,
    // chr1 first) is not scanned to the end, as SELECT DISTINCT did, in every run with a chrX model.
    let any = false;
    for (const r of db.prepare('SELECT chromosome AS c FROM Variant').iterate() as Iterable<{ c: string }>) {
      if (!isXY(r.c)) return false;
      any = true;
    }
    return any;
  } finally {
    db.close();
  }
}

async function tabixIsXYOnly(file: string): Promise<boolean> {
  const index = vcfIndexFor(file);
  if (index === null) return false;
  const idx = await openTabixIndex(index);
  let withRecords = 0;
  for (const name of (await idx.getMetadata()).refIdToName) {
    // A .csi may name every contig of the header: only those with records count.
    if ((await idx.blocksForRange(name, 0, 2 ** 31 - 1)).length === 0) continue;
    if (!isXY(name)) return false;
    withRecords++;
  }
  return withRecords > 0;
}

/** The summary's warning where every variant read was on chrX/chrY but the inputs did not say so before (INFO NA on chrX). */
export function xyOnlyUnknownNote(chrXY: number, variantsRead: number, xyOnly: boolean | undefined): string | null {
  if (xyOnly || chrXY === 0 || chrXY !== variantsRead) return null;
  return 'every variant read was on chrX/chrY, where plink2 on these files alone prints MACH_R2 (its chrX model is then its main one); INFO is NA on chrX as the input files were not known to hold chrX/chrY only before reading: a .tbi/.csi or .bgi index beside them (or --chr X for .gen files) says so';
}
