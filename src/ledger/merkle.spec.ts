import { inclusionPath, leafHash, merkleRoot, nodeHash, rootFromInclusionPath, splitPoint } from './merkle';

/**
 * The Certificate Transparency test vectors (RFC 6962's tree, which RFC 9162 §2.1 keeps): eight
 * leaves, MTH(D[n]) for n = 0..8 and audit paths, as every RFC 6962/9162 implementation
 * (certificate-transparency, transparency-dev/merkle) checks itself against.
 */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const PATHS: Array<[number, number, string[]]> = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const hashes = LEAVES.map(leafHash);
const hex = (b: Buffer) => b.toString('hex');

describe('the Merkle tree of RFC 9162 §2.1', () => {
  it.each(ROOTS.map((root, n) => [n, root]))('gives MTH(D[%i]) of the published vectors', (n, root) => {
    expect(hex(merkleRoot(hashes.slice(0, n as number)))).toBe(root);
  });

  it('separates leaves (0x00) from nodes (0x01)', () => {
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(ROOTS[1]);
    expect(hex(nodeHash(hashes[0], hashes[1]))).toBe(ROOTS[2]);
    expect(leafHash(Buffer.concat([hashes[0], hashes[1]])).equals(nodeHash(hashes[0], hashes[1]))).toBe(false);
  });

  it('splits at the largest power of two smaller than n, also when n is one', () => {
    expect([2, 3, 4, 5, 8, 9, 16, 17].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 8, 16]);
    expect(() => splitPoint(1)).toThrow(RangeError);
  });

  it.each(PATHS)('gives PATH(%i, D[%i]) of the published vectors (§2.1.3.1)', (index, size, path) => {
    expect(inclusionPath(index, hashes.slice(0, size)).map(hex)).toEqual(path);
  });

  it('verifies every path of trees up to 20 leaves, and no path that is wrong (§2.1.3.2)', () => {
    for (let n = 1; n <= 20; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
      const root = merkleRoot(leaves);
      for (let m = 0; m < n; m++) {
        const path = inclusionPath(m, leaves);
        expect(rootFromInclusionPath(m, n, leaves[m], path)?.equals(root)).toBe(true);
        if (n > 1) expect(rootFromInclusionPath((m + 1) % n, n, leaves[m], path)?.equals(root) ?? false).toBe(false);
        if (path.length > 0) expect(rootFromInclusionPath(m, n, leaves[m], path.slice(1))?.equals(root) ?? false).toBe(false);
      }
      expect(rootFromInclusionPath(n, n, leaves[0], [])).toBeNull();
    }
    expect(() => inclusionPath(3, hashes.slice(0, 3))).toThrow(RangeError);
  });
});
