/// Score resources through provisioners, and Kubernetes manifests (see the application-tier issue).
public enum ProvisioningModule {}
