// Parameter validation as data: coercion from CLI strings, defaults, bounds, and error messages that name
// the parameter, the value and what is allowed.
import { describe, expect, it } from 'vitest';
import { parseKeyValues, resolveParams, type ParamSpec } from '../../src/core/params.js';

const specs: ParamSpec[] = [
  { name: 'steps', type: 'integer', default: 50, min: 1, max: 1024, description: 'steps' },
  { name: 'sigma', type: 'number', default: 0.15, min: 0, max: 1, description: 'noise' },
  { name: 'abs', type: 'boolean', default: true, description: 'abs' },
  { name: 'integration', type: 'enum', values: ['gauss-legendre', 'riemann-trapezoid'], default: 'gauss-legendre', description: 'rule' },
];

describe('resolveParams', () => {
  it('fills defaults and coerces strings', () => {
    expect(resolveParams(specs, {})).toEqual({ steps: 50, sigma: 0.15, abs: true, integration: 'gauss-legendre' });
    expect(resolveParams(specs, { steps: '32', sigma: '0.5', abs: 'false', integration: 'riemann-trapezoid' })).toEqual({
      steps: 32,
      sigma: 0.5,
      abs: false,
      integration: 'riemann-trapezoid',
    });
  });
  it('names parameter, value and bounds', () => {
    expect(() => resolveParams(specs, { steps: 0 })).toThrow('parameter "steps" got 0; allowed: an integer >= 1 and <= 1024');
    expect(() => resolveParams(specs, { steps: '2.5' })).toThrow(/"steps" got "2.5"; allowed: an integer/);
    expect(() => resolveParams(specs, { sigma: 'NaN' })).toThrow(/"sigma" got "NaN"/);
    expect(() => resolveParams(specs, { abs: 'yes' })).toThrow('parameter "abs" got "yes"; allowed: true or false');
    expect(() => resolveParams(specs, { integration: 'simpson' })).toThrow('allowed: gauss-legendre, riemann-trapezoid');
    expect(() => resolveParams(specs, { stpes: 3 }, 'integrated-gradients')).toThrow('unknown parameter "stpes" for integrated-gradients; its parameters are: steps, sigma, abs, integration');
  });
  it('parses key=value pairs', () => {
    expect(parseKeyValues(['a=1', 'b=x=y'])).toEqual({ a: '1', b: 'x=y' });
    expect(() => parseKeyValues(['novalue'])).toThrow('--param "novalue" is not key=value');
  });
});
