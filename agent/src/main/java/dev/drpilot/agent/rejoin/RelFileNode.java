package dev.drpilot.agent.rejoin;

/** A relation's files as WAL names them ({@code tablespace/database/filenode}, e.g. {@code 1663/5/16384}). */
public record RelFileNode(long tablespace, long database, long filenode) {

    static RelFileNode parse(String text) {
        String[] parts = text.split("/");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a relation file node (T/D/R): " + text);
        }
        return new RelFileNode(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    @Override
    public String toString() {
        return tablespace + "/" + database + "/" + filenode;
    }
}
