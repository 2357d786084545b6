import { useState, type ReactNode } from 'react';
import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { time } from '../../components/format.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { DeliveryDrawer } from './DeliveryDrawer.js';
import type { DeliveryRef } from './LiveList.js';

/** A column between Outcome and Details; Time, Status and Outcome are always there. */
export interface DeliveryColumn {
  readonly header: string;
  readonly cell: (delivery: FleetDelivery) => ReactNode;
}

/** A short list of deliveries (the newest few of an integration or of the local receiver), each opening the delivery drawer. */
export function RecentDeliveryTable({ label, rows, before = [], after = [] }: { label: string; rows: readonly FleetDelivery[]; before?: readonly DeliveryColumn[]; after?: readonly DeliveryColumn[] }) {
  const [open, setOpen] = useState<DeliveryRef | undefined>();
  return (
    <>
      <table aria-label={label}>
        <thead>
          <tr>
            <th>Time</th>
            {before.map((column) => (
              <th key={column.header}>{column.header}</th>
            ))}
            <th>Status</th>
            <th>Outcome</th>
            {after.map((column) => (
              <th key={column.header}>{column.header}</th>
            ))}
            <th>
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((delivery) => (
            <tr key={delivery.requestId}>
              <td>{time(delivery.receivedAt)}</td>
              {before.map((column) => (
                <td key={column.header}>{column.cell(delivery)}</td>
              ))}
              <td>{delivery.status}</td>
              <td>
                <StatusBadge status={delivery.outcome} />
              </td>
              {after.map((column) => (
                <td key={column.header}>{column.cell(delivery)}</td>
              ))}
              <td>
                <button
                  type="button"
                  className="link"
                  aria-label={`Details of the delivery at ${time(delivery.receivedAt)}`}
                  onClick={() => setOpen({ fleetId: delivery.fleetId, nodeUrl: delivery.nodeUrl, requestId: delivery.requestId })}>
                  Details
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <DeliveryDrawer at={open} onClose={() => setOpen(undefined)} />}
    </>
  );
}
