/**
 * Trip booking, the classic saga: book a flight, a hotel and a car. The car
 * rental has nothing left, so the workflow fails and Tempolite undoes what
 * was done, latest first: the hotel is cancelled, then the flight. Each
 * cancellation is a durable, retried compensation; a crash in the middle
 * resumes where it stopped.
 *
 * Run: `npm run build && node dist/examples/trip-booking/main.js [file.db]`
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Saga, Tempolite, Workflow, WorkflowFailure, activityContext, formatRunTree, silentLogger, type WorkflowDescription } from '../../src/index.js';

/** What the traveller asked for. */
export interface Trip {
  readonly traveller: string;
  readonly from: string;
  readonly to: string;
  readonly nights: number;
}

/** A confirmed reservation at one provider. */
export interface Reservation {
  readonly provider: string;
  readonly ref: string;
}

/** The car rental's answer when nothing is left. */
export class NoCarAvailable extends Error {
  override name = 'NoCarAvailable';
}

/** The trip booking service: three saga steps, each with the method that undoes it. */
export class TripBooking {
  /** What the (fake) providers were asked to do, in order. */
  static readonly calls: string[] = [];

  @Saga({ name: 'trip.flight', compensate: 'cancelFlight' })
  async bookFlight(trip: Trip): Promise<Reservation> {
    TripBooking.calls.push(`book flight ${trip.from} → ${trip.to}`);
    // The idempotency key lets a real airline API deduplicate a repeated attempt.
    return { provider: 'airline', ref: `FL-${activityContext().idempotencyKey.slice(-6)}` };
  }

  async cancelFlight(_trip: Trip, flight: Reservation): Promise<void> {
    TripBooking.calls.push(`cancel flight ${flight.ref}`);
  }

  @Saga({ name: 'trip.hotel', compensate: 'cancelHotel' })
  async bookHotel(trip: Trip): Promise<Reservation> {
    TripBooking.calls.push(`book hotel in ${trip.to} for ${trip.nights} nights`);
    return { provider: 'hotel', ref: `HT-${activityContext().idempotencyKey.slice(-6)}` };
  }

  async cancelHotel(_trip: Trip, hotel: Reservation): Promise<void> {
    TripBooking.calls.push(`cancel hotel ${hotel.ref}`);
  }

  @Saga({ name: 'trip.car', compensate: 'cancelCar', retry: { maxAttempts: 2, initialIntervalMs: 1 } })
  async bookCar(trip: Trip): Promise<Reservation> {
    TripBooking.calls.push(`book car in ${trip.to}`);
    throw new NoCarAvailable(`no car left in ${trip.to}`);
  }

  async cancelCar(_trip: Trip, car: Reservation): Promise<void> {
    TripBooking.calls.push(`cancel car ${car.ref}`);
  }

  @Workflow({ name: 'trip.book' })
  async book(trip: Trip): Promise<Reservation[]> {
    const flight = await this.bookFlight(trip);
    const hotel = await this.bookHotel(trip);
    const car = await this.bookCar(trip);
    return [flight, hotel, car];
  }
}

/**
 * Books a trip on `databaseFile` and returns the workflow's description
 * (status `compensated`: the car failed, hotel and flight were cancelled).
 */
export async function runTripBooking(databaseFile: string): Promise<WorkflowDescription> {
  TripBooking.calls.length = 0;
  const engine = new Tempolite({ database: databaseFile, logger: silentLogger, register: [TripBooking] });
  await engine.start();
  try {
    const trip: Trip = { traveller: 'ana', from: 'Porto', to: 'Lisbon', nights: 3 };
    const handle = await engine.startWorkflow(TripBooking, 'book', [trip], { id: 'trip-ana-lisbon' });
    await handle.result().catch((error: unknown) => {
      // The expected outcome: the booking failed and was rolled back.
      if (!(error instanceof WorkflowFailure)) throw error;
    });
    return await handle.describe();
  } finally {
    await engine.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'tempolite-trip-')), 'trip.db');
  const description = await runTripBooking(file);
  console.log(TripBooking.calls.map((call) => `  ${call}`).join('\n'));
  console.log(`\n${formatRunTree(description)}\n\nDatabase: ${file}`);
}
