/// The HTTP API, push webhooks and metrics around the reconcile loop (see the Server issue).
public enum ServerModule {}
