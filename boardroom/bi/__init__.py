"""BI access to the published marts: logins for tenant readers, platform readers and apps."""
