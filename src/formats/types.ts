// What a format decoder hands to the statistics kernel: a batch of variants with their dosages.
// Decoders fill caller-supplied typed arrays; strings exist only for the few metadata fields.

export interface VariantMeta {
  /** Chromosome as written in the file (normalised later by the pipeline). */
  chr: string;
  /** Variant identifier written to the SNP column (rsid when present, else the SNPID). */
  snp: string;
  pos: number;
  /** The counted allele (dosage is of this allele). */
  a1: string;
  /** The other allele (for multi-allelic rows: the first/reference allele). */
  a2: string;
  /**
   * The SNP column as bytes, idBytes[idStart, idEnd), instead of `snp` (then ''): set by the .gen
   * decoder when its layout asks for it (the workers copy the bytes into the row; no string).
   */
  idBytes?: Uint8Array;
  idStart?: number;
  idEnd?: number;
}

/**
 * Dosages of one variant row for all samples, in file sample order, in [0, ploidy]; NaN = missing.
 * A decoder fills `dosage` (length >= nSamples) and returns the row's metadata.
 */
export type DosageRow = Float64Array;
