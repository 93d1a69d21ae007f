# Installation and the Debian package.
#   cmake --install build                  /usr/bin/chat-actors, /etc/chat-actors/,
#                                          the systemd unit, the man page
#   cd build && cpack -G DEB               chat-actors_<version>_amd64.deb
# The prefix defaults to /usr: the files land where Debian's own packages put
# them and the unit names the installed binary. DESTDIR=... stages elsewhere;
# -DCMAKE_INSTALL_PREFIX=/opt/chat (say) installs there, the unit naming it.
# A build tree that holds CMake's default /usr/local without having asked
# for it moves to /usr once too.
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT OR
   (NOT CHAT_INSTALL_PREFIX_CHOSEN AND CMAKE_INSTALL_PREFIX STREQUAL "/usr/local"))
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install path prefix" FORCE)
endif()
set(CHAT_INSTALL_PREFIX_CHOSEN ON CACHE INTERNAL "")
include(GNUInstallDirs)

set(CHAT_BINARY "${CMAKE_INSTALL_FULL_BINDIR}/chat-actors")
set(CHAT_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/chat-actors")
set(CHAT_CONFIG_FILE "${CHAT_CONFIG_DIR}/caf-application.conf")
set(CHAT_STATE_DIR "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/chat-actors")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(CHAT_STATE_DIR "/var/lib/chat-actors")
endif()
set(CHAT_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")

configure_file(${CMAKE_SOURCE_DIR}/cmake/packaging/chat-actors.service.in
  ${CMAKE_BINARY_DIR}/packaging/chat-actors.service @ONLY)

# Debian installs man pages compressed.
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/chat-actors.1.gz
  COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/docs/chat-actors.1 > ${CMAKE_BINARY_DIR}/packaging/chat-actors.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/chat-actors.1
  COMMENT "man page chat-actors(1)")
add_custom_target(man_page ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/chat-actors.1.gz)

install(TARGETS chat-actors RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES config/caf-application.conf DESTINATION ${CHAT_CONFIG_DIR})
install(FILES ${CMAKE_BINARY_DIR}/packaging/chat-actors.service DESTINATION ${CHAT_UNIT_DIR})
install(FILES ${CMAKE_BINARY_DIR}/packaging/chat-actors.1.gz
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME chat-actors)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "chat-actors maintainers <chat-actors@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "LAN chat: client and server node on the C++ Actor Framework")
set(CPACK_PACKAGE_DESCRIPTION
  "Groups, private chats and discovery on a LAN. The server node runs Redis (name\n\
server), RabbitMQ (broker) and a LAN locator, supervised by one process, as a\n\
systemd service; the client is a full-screen terminal program.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Programs the server node starts, and what the maintainer scripts use.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "redis-server, rabbitmq-server, stunnel4, adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/cmake/packaging/conffiles
  ${CMAKE_SOURCE_DIR}/cmake/packaging/postinst
  ${CMAKE_SOURCE_DIR}/cmake/packaging/prerm
  ${CMAKE_SOURCE_DIR}/cmake/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
