output "dsn" {
  value = "postgres://warehouse.invalid/analytics"
}
