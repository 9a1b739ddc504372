// Streaming genotype model. Variants come in LD blocks of 20-200 variants; within a block each
// sample's two haplotypes are mosaics of a few founder haplotypes (copying one founder and
// occasionally switching, as after a recombination). The founders of a block are related by a
// random genealogy (a binary tree from random merges); a variant is a mutation on one branch, so its
// minor allele is carried by the founders below that branch, and variants on the same branch are in
// (near) perfect LD, variants on nested branches in partial LD. Rare variants are carried by only a
// sub-lineage of the haplotypes copying those founders (a per-haplotype coordinate below a
// threshold from a coarse geometric grid, so rare variants also tag each other). The minor-allele
// frequency target is log-uniform on [0.005, 0.5]. Imputation uncertainty: each sample's
// probabilities are the true genotype mixed with the Hardy-Weinberg prior by a weight lambda drawn
// per sample from s*Exp(1) (capped at 1), with s chosen per variant so the expected MACH R2,
// E[(1-lambda)^2], hits a per-variant target between 0.3 and 1.
//
// Only one variant is held at a time: `next()` refills the arrays of `variant` in place.
import { GRCH37_LENGTHS, allocateVariants } from './genome.js';
import { Rng, STREAM } from './random.js';

export interface SimVariant {
  /** 0-based index over the whole output. */
  index: number;
  chr: number;
  chrName: string;
  pos: number;
  /** "chr:pos" (the .gen SNPID column and the BGEN variant identifier). */
  snpid: string;
  /** rs<number> */
  rsid: string;
  /** First allele (A, usually the reference). */
  a: string;
  /** Second allele (B); dosages and the truth file's BETA count this allele. */
  b: string;
  /** P(AA), P(AB), P(BB) per sample (3N values), summing to 1; zeros where missing. */
  probs: Float64Array;
  /** 1 where the sample's genotype is missing (written as 0 0 0 / BGEN missing flag). */
  missing: Uint8Array;
  nMissing: number;
  /** True count of allele B per sample (before imputation blur). */
  bCount: Uint8Array;
  /** Whether this variant is one of the planted causal variants. */
  causal: boolean;
  /** Target minor-allele frequency and target MACH R2 used to generate the variant. */
  targetMaf: number;
  targetInfo: number;
}

export interface GenotypeModelOptions {
  nSamples: number;
  nVariants: number;
  chromosomes: readonly number[];
  seed: number;
  /** Per sample, the probability that a haplotype descends from population 1 (else population 2). */
  ancestry: Float64Array;
  /** Sorted global indices of the causal variants: generated common and well imputed. */
  causalIndices: readonly number[];
  /** Probability that a genotype is missing (all-zero row). Default 0.001. */
  missingRate?: number;
}

const MIN_BLOCK = 20;
const MAX_BLOCK = 200;
const MIN_FOUNDERS = 4;
const MAX_FOUNDERS = 12;
const MIN_MAF = 0.005;
const MAX_MAF = 0.5;
/** Expected founder switches per haplotype per block. */
const SWITCHES_PER_BLOCK = 0.4;
/** Fraction of variants that look directly genotyped (near-certain probabilities). */
const TYPED_FRACTION = 0.15;

/** Expected MACH R2, E[(1 - min(1, s X))^2] with X ~ Exp(1), in closed form. */
export function expectedR2(s: number): number {
  if (s <= 0) return 1;
  return 1 - 2 * s + 2 * s * s - 2 * s * s * Math.exp(-1 / s);
}

/** The blur scale s whose expected MACH R2 is r (0 < r <= 1), by bisection. */
export function blurForR2(r: number): number {
  if (r >= 1) return 0;
  let lo = 0;
  let hi = 64;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (expectedR2(mid) > r) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const BASES = ['A', 'C', 'G', 'T'];
const RS_PRIME = 2147483647; // 2^31 - 1
const RS_MULT = 48271;

export class GenotypeSimulator {
  readonly variant: SimVariant;
  private readonly n: number;
  private readonly nHap: number;
  private readonly rng: Rng;
  private readonly layoutRng: Rng;
  private readonly ancestry: Float64Array;
  private readonly causal: readonly number[];
  private causalPtr = 0;
  private readonly perChr: number[];
  private readonly chromosomes: readonly number[];
  private readonly missingRate: number;
  private missCountdown: number;
  private readonly rsOffset: number;

  // Position along the genome.
  private chrIdx = -1;
  private chrLeft = 0;
  private pos = 0;
  private meanGap = 1;
  private chrLength = 0;
  private nextIndex = 0;

  // Current block.
  private blockLeft = 0;
  private blockPos = 0;
  private nFounders = 0;
  private switchRate = 0;
  /** Founder sets below each branch of the block's genealogy (minor side), sorted by weight. */
  private readonly edgeMask = new Int32Array(2 * MAX_FOUNDERS);
  private readonly edgeWeight = new Float64Array(2 * MAX_FOUNDERS);
  private nEdges = 0;
  private readonly cum1 = new Float64Array(MAX_FOUNDERS);
  private readonly cum2 = new Float64Array(MAX_FOUNDERS);
  private readonly wAvg = new Float64Array(MAX_FOUNDERS);
  private readonly hapFounder: Uint8Array;
  private readonly hapU: Float64Array;
  private readonly hapSwitchAt: Float64Array;
  private readonly meanAncestry: number;

  constructor(opts: GenotypeModelOptions) {
    this.n = opts.nSamples;
    this.nHap = 2 * opts.nSamples;
    this.rng = new Rng(opts.seed, STREAM.genotypes);
    this.layoutRng = new Rng(opts.seed, STREAM.layout);
    this.ancestry = opts.ancestry;
    this.causal = opts.causalIndices;
    this.chromosomes = opts.chromosomes;
    this.perChr = allocateVariants(opts.chromosomes, opts.nVariants);
    this.missingRate = opts.missingRate ?? 0.001;
    this.missCountdown = this.rng.geometric(this.missingRate);
    this.rsOffset = 1000 + this.layoutRng.int(RS_PRIME - 1000 - opts.nVariants - 1);
    this.hapFounder = new Uint8Array(this.nHap);
    this.hapU = new Float64Array(this.nHap);
    this.hapSwitchAt = new Float64Array(this.nHap);
    let m = 0;
    for (let i = 0; i < this.n; i++) m += this.ancestry[i];
    this.meanAncestry = this.n ? m / this.n : 0.5;
    this.variant = {
      index: -1,
      chr: 0,
      chrName: '',
      pos: 0,
      snpid: '',
      rsid: '',
      a: '',
      b: '',
      probs: new Float64Array(3 * this.n),
      missing: new Uint8Array(this.n),
      nMissing: 0,
      bCount: new Uint8Array(this.n),
      causal: false,
      targetMaf: 0,
      targetInfo: 1,
    };
  }

  /** Number of variants per chromosome, in the order of the chromosome list. */
  get variantsPerChromosome(): readonly number[] {
    return this.perChr;
  }

  /** Fill `variant` with the next variant; false at the end. */
  next(): boolean {
    while (this.chrLeft === 0) {
      this.chrIdx++;
      if (this.chrIdx >= this.chromosomes.length) return false;
      this.startChromosome();
    }
    if (this.blockLeft === 0) this.startBlock();
    this.chrLeft--;
    this.blockLeft--;
    this.blockPos++;
    const v = this.variant;
    const index = this.nextIndex++;
    v.index = index;

    // Position and names (layout stream, so they do not depend on the sample count).
    const lr = this.layoutRng;
    // Exponential gaps, kept inside the chromosome with room for the variants still to come.
    const maxPos = this.chrLength - this.chrLeft - 1;
    this.pos = Math.max(this.pos + 1, Math.min(maxPos, this.pos + 1 + Math.floor(lr.exp() * (this.meanGap - 1))));
    v.pos = this.pos;
    v.snpid = `${v.chrName}:${this.pos}`;
    let x = ((index + this.rsOffset) * RS_MULT) % RS_PRIME;
    x = (x * RS_MULT) % RS_PRIME;
    v.rsid = `rs${x + 1}`;
    this.drawAlleles(v);

    // Frequency and imputation-quality targets.
    const rng = this.rng;
    let causal = false;
    if (this.causalPtr < this.causal.length && this.causal[this.causalPtr] === index) {
      causal = true;
      this.causalPtr++;
    }
    v.causal = causal;
    let maf: number;
    let info: number;
    let s: number;
    if (causal) {
      maf = rng.uniform(0.2, 0.5);
      info = rng.uniform(0.96, 1);
      s = blurForR2(info);
    } else {
      maf = Math.exp(rng.uniform(Math.log(MIN_MAF), Math.log(MAX_MAF)));
      if (rng.float() < TYPED_FRACTION) {
        s = rng.uniform(0, 0.004);
        info = expectedR2(s);
      } else {
        const u = rng.float();
        info = 1 - 0.7 * u * u;
        s = blurForR2(info);
      }
    }
    v.targetMaf = maf;
    v.targetInfo = info;
    const minorIsB = rng.float() < 0.85;

    // Which haplotypes carry the minor allele: those copying a founder below the chosen branch
    // (and, for variants rarer than the branch, only a sub-lineage of them).
    const { mask, c } = this.chooseBranch(maf);
    const sharedLineage = rng.float() < 0.8;

    // Haplotypes: founder switches (recombination), then alleles.
    const nHap = this.nHap;
    const hapFounder = this.hapFounder;
    const hapU = this.hapU;
    const hapSwitchAt = this.hapSwitchAt;
    const bp = this.blockPos;
    for (let h = 0; h < nHap; h++) {
      if (hapSwitchAt[h] <= bp) {
        hapFounder[h] = this.drawFounder(h >> 1);
        hapSwitchAt[h] = bp + 1 + rng.geometric(this.switchRate);
      }
    }
    const bCount = v.bCount;
    let sumB = 0;
    for (let i = 0; i < this.n; i++) {
      let g = 0;
      for (let j = 0; j < 2; j++) {
        const h = 2 * i + j;
        if ((mask >>> hapFounder[h]) & 1 && (c >= 1 || (sharedLineage ? hapU[h] : rng.float()) < c)) g++;
      }
      const b = minorIsB ? g : 2 - g;
      bCount[i] = b;
      sumB += b;
    }

    // Imputation blur toward the HWE prior at the sample frequency, per-sample weight.
    const p = this.n ? sumB / (2 * this.n) : 0;
    const q0 = (1 - p) * (1 - p);
    const q1 = 2 * p * (1 - p);
    const q2 = p * p;
    const probs = v.probs;
    const missing = v.missing;
    let nMissing = 0;
    let cd = this.missCountdown;
    for (let i = 0, k = 0; i < this.n; i++, k += 3) {
      if (cd === 0) {
        cd = rng.geometric(this.missingRate);
        missing[i] = 1;
        nMissing++;
        probs[k] = 0;
        probs[k + 1] = 0;
        probs[k + 2] = 0;
        continue;
      }
      cd--;
      missing[i] = 0;
      let lam = s === 0 ? 0 : s * rng.expFast();
      if (lam > 1) lam = 1;
      probs[k] = lam * q0;
      probs[k + 1] = lam * q1;
      probs[k + 2] = lam * q2;
      probs[k + bCount[i]] += 1 - lam;
    }
    this.missCountdown = cd;
    v.nMissing = nMissing;
    return true;
  }

  private startChromosome(): void {
    const c = this.chromosomes[this.chrIdx];
    this.chrLeft = this.perChr[this.chrIdx];
    const len = GRCH37_LENGTHS[c - 1];
    this.chrLength = len;
    this.meanGap = Math.max(1, Math.floor((len * 0.97) / (this.chrLeft + 1)));
    this.pos = 10000 + this.layoutRng.int(Math.min(this.meanGap, 500000));
    this.variant.chr = c;
    this.variant.chrName = String(c);
    this.blockLeft = 0;
  }

  private startBlock(): void {
    const rng = this.rng;
    let len = Math.round(Math.exp(rng.uniform(Math.log(MIN_BLOCK), Math.log(MAX_BLOCK))));
    // Do not leave a runt block at the end of the chromosome.
    if (this.chrLeft - len < MIN_BLOCK) len = this.chrLeft;
    this.blockLeft = Math.min(len, this.chrLeft);
    this.blockPos = 0;
    const F = MIN_FOUNDERS + rng.int(MAX_FOUNDERS - MIN_FOUNDERS + 1);
    this.nFounders = F;
    this.switchRate = Math.min(1, SWITCHES_PER_BLOCK / this.blockLeft);
    // Founder weights: Dirichlet(1) for population 2; population 1 perturbs them (a small Fst).
    const w2 = new Float64Array(F);
    const w1 = new Float64Array(F);
    let s1 = 0;
    let s2 = 0;
    for (let f = 0; f < F; f++) {
      w2[f] = rng.exp();
      w1[f] = w2[f] * Math.exp(0.8 * rng.normal());
      s1 += w1[f];
      s2 += w2[f];
    }
    let c1 = 0;
    let c2 = 0;
    const a = this.meanAncestry;
    for (let f = 0; f < F; f++) {
      w1[f] /= s1;
      w2[f] /= s2;
      c1 += w1[f];
      c2 += w2[f];
      this.cum1[f] = c1;
      this.cum2[f] = c2;
      this.wAvg[f] = a * w1[f] + (1 - a) * w2[f];
    }
    this.cum1[F - 1] = 1;
    this.cum2[F - 1] = 1;
    this.buildGenealogy(F);
    for (let h = 0; h < this.nHap; h++) {
      this.hapFounder[h] = this.drawFounder(h >> 1);
      this.hapU[h] = rng.float();
      this.hapSwitchAt[h] = 2 + rng.geometric(this.switchRate);
    }
  }

  /**
   * A random genealogy of the F founders (repeatedly merge two random clusters); every cluster
   * except the root is a branch. Each branch is stored by its minor side (the founder set of
   * weight <= 0.5, complementing when needed), deduplicated and sorted by weight.
   */
  private buildGenealogy(F: number): void {
    const rng = this.rng;
    const full = (1 << F) - 1;
    const clusters: number[] = [];
    for (let f = 0; f < F; f++) clusters.push(1 << f);
    const branches: number[] = clusters.slice();
    while (clusters.length > 2) {
      const i = rng.int(clusters.length);
      let j = rng.int(clusters.length - 1);
      if (j >= i) j++;
      const merged = clusters[i] | clusters[j];
      clusters.splice(Math.max(i, j), 1);
      clusters.splice(Math.min(i, j), 1);
      clusters.push(merged);
      branches.push(merged);
    }
    const seen = new Set<number>();
    const edges: { mask: number; w: number }[] = [];
    for (let m of branches) {
      let w = 0;
      for (let f = 0; f < F; f++) if ((m >>> f) & 1) w += this.wAvg[f];
      if (w > 0.5) {
        m = full & ~m;
        w = 1 - w;
      }
      if (m === 0 || seen.has(m)) continue;
      seen.add(m);
      edges.push({ mask: m, w });
    }
    edges.sort((a, b) => a.w - b.w || a.mask - b.mask);
    this.nEdges = edges.length;
    edges.forEach((e, k) => {
      this.edgeMask[k] = e.mask;
      this.edgeWeight[k] = e.w;
    });
  }

  /**
   * Branch and sub-lineage threshold for a variant with target minor frequency m: usually the
   * lightest branch heavy enough (snapping to it when within a factor 1.5), sometimes a heavier one;
   * the threshold c = m / weight is rounded to a power of 1/1.5 so rare variants share carriers.
   */
  private chooseBranch(m: number): { mask: number; c: number } {
    const rng = this.rng;
    const E = this.nEdges;
    let first = 0;
    while (first < E && this.edgeWeight[first] * 1.5 < m) first++;
    if (first === E) return { mask: this.edgeMask[E - 1], c: 1 };
    const k = rng.float() < 0.6 ? first : first + rng.int(E - first);
    const w = this.edgeWeight[k];
    let c = 1;
    if (w > 1.5 * m) {
      const steps = Math.round(Math.log(w / m) / Math.log(1.5));
      c = Math.pow(1.5, -steps);
    }
    return { mask: this.edgeMask[k], c };
  }

  private drawFounder(sample: number): number {
    const rng = this.rng;
    const cum = rng.float() < this.ancestry[sample] ? this.cum1 : this.cum2;
    const u = rng.float();
    const F = this.nFounders;
    for (let f = 0; f < F - 1; f++) if (u < cum[f]) return f;
    return F - 1;
  }

  private drawAlleles(v: SimVariant): void {
    const lr = this.layoutRng;
    if (lr.float() < 0.04) {
      const ref = BASES[lr.int(4)];
      let ins = '';
      const k = 1 + lr.int(4);
      for (let j = 0; j < k; j++) ins += BASES[lr.int(4)];
      if (lr.float() < 0.5) {
        v.a = ref + ins;
        v.b = ref;
      } else {
        v.a = ref;
        v.b = ref + ins;
      }
      return;
    }
    const i = lr.int(4);
    const j = (i + 1 + lr.int(3)) % 4;
    v.a = BASES[i];
    v.b = BASES[j];
  }
}
