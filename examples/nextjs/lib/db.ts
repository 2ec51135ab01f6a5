// The example's documents, and a stand-in for Prisma: the example has no database, so
// `findMany` interprets the part of Prisma's `where` that `planToPrismaWhere` produces. A real
// app passes the same `where` to `prisma.document.findMany`. Anything it does not know throws
// (fail closed), like the translation itself.

export interface DocumentRow {
  id: string;
  title: string;
  /** The owner's warden user id (Cedar: `resource.owner`, a `User` entity). */
  ownerId: string;
}

const DOCUMENTS: DocumentRow[] = [
  { id: "d1", title: "Alice's notes", ownerId: "alice" },
  { id: "d2", title: "Admin handbook", ownerId: "admin" },
  { id: "d3", title: "Alice's plan", ownerId: "alice" },
  { id: "d4", title: "Bob's draft", ownerId: "bob" },
];

type Where = Record<string, unknown>;

function matches(row: Record<string, unknown>, where: Where): boolean {
  return Object.entries(where).every(([key, filter]) => {
    if (key === "AND") return (filter as Where[]).every((w) => matches(row, w));
    if (key === "OR") return (filter as Where[]).some((w) => matches(row, w));
    if (key === "NOT") return !matches(row, filter as Where);
    if (!(key in row)) throw new Error(`no column ${key}`);
    return fieldMatches(row[key], filter as Record<string, unknown>);
  });
}

function fieldMatches(value: unknown, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([op, operand]) => {
    switch (op) {
      case "equals":
        return value === operand;
      case "not":
        return operand === null ? value !== null && value !== undefined : value !== undefined && value !== null && value !== operand;
      case "in":
        return (operand as unknown[]).includes(value);
      case "startsWith":
        return typeof value === "string" && value.startsWith(operand as string);
      case "endsWith":
        return typeof value === "string" && value.endsWith(operand as string);
      case "contains":
        return typeof value === "string" && value.includes(operand as string);
      default:
        throw new Error(`unsupported filter ${op}`);
    }
  });
}

/** `prisma.document.findMany({ where })`, in memory. */
export async function findDocuments(where: Where): Promise<DocumentRow[]> {
  return DOCUMENTS.filter((d) => matches(d as unknown as Record<string, unknown>, where));
}

export async function allDocuments(): Promise<DocumentRow[]> {
  return [...DOCUMENTS];
}
