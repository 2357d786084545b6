/** Status 0 stands for "no answer": the connection failed or was cut. */
export const NO_ANSWER = 0;

export function isAcknowledgement(status: number): boolean {
  return status === 202 || status === 200;
}

/**
 * What each sender was told, per delivery id. Set against what the nodes stored afterwards, it
 * gives the two figures that must stay 0: acknowledged but stored nowhere (lost), and stored or
 * acknowledged as accepted more than once (accepted twice).
 */
export class DeliveryLedger {
  private readonly answers = new Map<string, number[]>();

  answer(deliveryId: string, status: number): void {
    const list = this.answers.get(deliveryId);
    if (list) list.push(status);
    else this.answers.set(deliveryId, [status]);
  }

  get sent(): number {
    return this.answers.size;
  }

  acknowledged(): string[] {
    return [...this.answers].filter(([, statuses]) => statuses.some(isAcknowledgement)).map(([id]) => id);
  }

  isAcknowledged(deliveryId: string): boolean {
    return this.answers.get(deliveryId)?.some(isAcknowledgement) ?? false;
  }

  /** Answers that refused or never came, over all attempts. */
  get rejected(): number {
    let count = 0;
    for (const statuses of this.answers.values()) count += statuses.filter((status) => !isAcknowledgement(status)).length;
    return count;
  }

  countOf(status: number): number {
    let count = 0;
    for (const statuses of this.answers.values()) count += statuses.filter((answered) => answered === status).length;
    return count;
  }

  /** `stored`: how many times each delivery id is stored as accepted, over every node. */
  settle(stored: ReadonlyMap<string, number>): { lost: string[]; acceptedTwice: string[] } {
    const lost = this.acknowledged().filter((id) => (stored.get(id) ?? 0) === 0);
    const twice = new Set([...stored].filter(([, count]) => count > 1).map(([id]) => id));
    for (const [id, statuses] of this.answers) if (statuses.filter((status) => status === 202).length > 1) twice.add(id);
    return { lost, acceptedTwice: [...twice] };
  }
}
