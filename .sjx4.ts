import { SuperJsonCodec, PayloadEncoder } from './src/store/codec.js';
class Money { constructor(public amount: bigint, public currency: string) {} get label() { return `${this.amount} ${this.currency}`; } }
class CardDeclined extends Error { code = 'card_declined'; constructor(m: string, opts?: {cause?: unknown}) { super(m, opts); this.name = 'CardDeclined'; } }
const codec = new SuperJsonCodec({ classes: [Money, CardDeclined] });
const enc = new PayloadEncoder(codec, 10000);
const where = { description: 'test payload' };
const rt = (v: unknown) => { const t = enc.encode(v, where); console.log(t); return enc.decode(t, where); };
console.log(rt({ a: 1, b: [1, 'x'] }));
const m = rt(new Money(5n, 'EUR')) as Money; console.log(m instanceof Money, m.label);
const e = new CardDeclined('no money', { cause: new TypeError('bad') }); (e as any).details = { at: new Date(0) };
const t = enc.encodeError(e, where); console.log(t); const d = enc.decodeError(t) as any;
console.log(d instanceof CardDeclined, d.name, d.message, d.code, d.details, d.cause instanceof TypeError, d.stack === e.stack, Object.keys(d));
for (const bad of [{ f() {} }, { s: new Set([1, () => 1]) }, new Map([[{}, Symbol('x')]]), { p: Promise.resolve() }, { x: new (class Foo {})() }, [1, , 3], { d: new Date(NaN) }]) {
  try { enc.encode(bad, where); console.log('NO THROW', bad); } catch (err: any) { console.log(err.name, '|', err.message); }
}
console.log(enc.decodeError(enc.encodeError('oops', where)));
console.log(enc.decodeError(enc.encodeError({ fn() {} }, where)));
const weird = new Error('w'); (weird as any).cb = () => 1; weird.cause = weird;
const wt = enc.encodeError(weird, where); console.log(wt, enc.decodeError(wt));
