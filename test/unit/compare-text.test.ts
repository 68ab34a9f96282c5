// Lists of names (queues, interfaces, numbers, agent ids) sort by code unit,
// the same under every locale, and the service never reaches ICU collation
// for it (lib/compare-text.ts says why: CPU in the live model, and 3 to 8 MB
// of resident memory).
import { describe, expect, it } from 'vitest';
import { compareText } from '../../lib/compare-text.ts';
import { sourceFiles, sourceText } from '../support/source-files.ts';

describe('compareText', () => {
  it('orders queues, interfaces and padded ids as a call centre lists them', () => {
    expect(['8009', '800', '8008', 'Sales'].sort(compareText)).toEqual(['800', '8008', '8009', 'Sales']);
    expect(['PJSIP/201', 'Local/79112223344@outbound-allroutes/n', 'Local/201@from-queue/n'].sort(compareText))
      .toEqual(['Local/201@from-queue/n', 'Local/79112223344@outbound-allroutes/n', 'PJSIP/201']);
    expect(['12', '9', '100'].map((id) => id.padStart(20, '0')).sort(compareText).map((id) => id.replace(/^0+/, ''))).toEqual(['9', '12', '100']);
    expect(compareText('8008', '8008')).toBe(0);
  });

  it('is the only order the service sorts names by: no localeCompare in lib/ or agi/', () => {
    const using = [...sourceFiles('lib'), ...sourceFiles('agi')].filter((f) => f !== 'lib/compare-text.ts' && /\.localeCompare\(/.test(sourceText(f)));
    expect(using).toEqual([]);
  });
});
